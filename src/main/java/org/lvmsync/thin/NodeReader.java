package org.lvmsync.thin;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * Reads blocks from a {@link BlockSource} and hands them out only once validated: in
 * range, checksum right, and (for nodes) a well-formed header and ascending keys. One per
 * walk; not thread-safe (it reuses one CRC32C).
 */
final class NodeReader {
    private final BlockSource source;
    private final CRC32C crc = new CRC32C();
    private long nodesRead;

    NodeReader(BlockSource source) {
        this.source = source;
    }

    BlockSource source() {
        return source;
    }

    String name() {
        return source.name();
    }

    /** Nodes read and validated so far (the superblock not counted): what a walk cost. */
    long nodesRead() {
        return nodesRead;
    }

    Superblock superblock(long location, String referrer) {
        MemorySegment block = checkedBlock(location, referrer, -1, Layout.SUPERBLOCK_SALT, "superblock");
        return Superblock.read(block).validate(source.name(), location);
    }

    /**
     * The btree node at {@code location}, pointed at by block {@code parent} or, when that
     * is negative, by the root pointer of {@code tree} (both only for the message when the
     * pointer leads past the end of the metadata; no string is built unless it fails).
     */
    BtreeNode node(long location, long parent, String tree, int leafValueSize) {
        MemorySegment block = checkedBlock(location, tree, parent, Layout.BTREE_NODE_SALT, "btree node");
        nodesRead++;
        return BtreeNode.read(block, location).validate(source.name(), leafValueSize);
    }

    private MemorySegment checkedBlock(long location, String what, long parent, int salt, String kind) {
        long count = source.blockCount();
        if (location < 0 || location >= count) {
            String referrer = parent >= 0 ? "block " + parent : parent == -1 ? what : what + "'s root pointer";
            throw new CorruptPoolMetadataException(source.name(), location, referrer + " points at this " + kind
                    + ", but the metadata has only " + count + " blocks (" + count * Layout.BLOCK_SIZE
                    + " bytes): it is truncated or the pointer is damaged");
        }
        MemorySegment block = source.block(location);
        int stored = Layout.storedChecksum(block);
        int computed = Layout.checksum(crc, block, salt);
        if (stored != computed) {
            throw new CorruptPoolMetadataException(source.name(), location, String.format(
                    "%s checksum is 0x%08x, the contents give 0x%08x: the block is damaged or not a %s"
                            + " (check the pool with thin_check)", kind, stored, computed, kind));
        }
        return block;
    }
}
