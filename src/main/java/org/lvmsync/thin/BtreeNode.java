package org.lvmsync.thin;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

import static org.lvmsync.thin.Layout.LE_INT;
import static org.lvmsync.thin.Layout.LE_LONG;

/**
 * One btree node block, its keys (and 8-byte values) copied out in one bulk copy each, so
 * walking them is plain array access even before the JIT has compiled anything. Layout: a 32-byte header
 * {csum u32, flags u32 (1 internal, 2 leaf), blocknr u64, nr_entries u32, max_entries u32,
 * value_size u32, padding u32}, then {@code max_entries} u64 keys, then the values from
 * byte {@code 32 + 8 * max_entries}. Internal nodes hold u64 child block numbers; keys
 * are strictly ascending, and a parent's key is a lower bound of its child's keys.
 */
public final class BtreeNode {
    static final int INTERNAL = 1;
    static final int LEAF = 2;
    static final int HEADER_BYTES = 32;
    static final int KEY_BYTES = 8;

    private final MemorySegment block;
    private final long location;
    private final int flags;
    private final long blocknr;
    private final int size;
    private final int maxEntries;
    private final int valueSize;
    private final long valuesOffset;
    private long[] keys;
    private long[] values;

    private BtreeNode(MemorySegment block, long location) {
        this.block = block;
        this.location = location;
        this.flags = block.get(LE_INT, 4);
        this.blocknr = block.get(LE_LONG, 8);
        this.size = block.get(LE_INT, 16);
        this.maxEntries = block.get(LE_INT, 20);
        this.valueSize = block.get(LE_INT, 24);
        this.valuesOffset = HEADER_BYTES + (long) KEY_BYTES * Integer.toUnsignedLong(maxEntries);
    }

    /**
     * Stores in the first four bytes of {@code block} (4096 bytes) the checksum a btree node
     * with its contents must carry, for code that writes metadata (the AOT training's image).
     */
    public static void seal(MemorySegment block) {
        block.set(LE_INT, 0, Layout.checksum(new CRC32C(), block, Layout.BTREE_NODE_SALT));
    }

    /** Decodes the header of the node in {@code block} (4096 bytes) read from {@code location}; no validation. */
    public static BtreeNode read(MemorySegment block, long location) {
        return new BtreeNode(block, location);
    }

    public long location() {
        return location;
    }

    public boolean isLeaf() {
        return flags == LEAF;
    }

    public int size() {
        return size;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int valueSize() {
        return valueSize;
    }

    /** Key {@code i}; valid once {@link #validate} has passed. */
    public long key(int i) {
        return keys[i];
    }

    /**
     * An 8-byte value: a child block (internal) or a mapping {@code (data_block << 24) | time}
     * (mapping leaf); valid once {@link #validate} has passed.
     */
    public long value(int i) {
        return values[i];
    }

    /** Byte offset of value {@code i} within {@link #block()}, for values wider than 8 bytes. */
    public long valueOffset(int i) {
        return valuesOffset + (long) valueSize * i;
    }

    public MemorySegment block() {
        return block;
    }

    /**
     * Refuses a node this tree cannot hold: wrong block number, flags, value size for its
     * kind ({@code leafValueSize} for leaves, 8 for internal nodes), more entries than fit
     * the block, or keys not strictly ascending. The checksum is checked before.
     */
    public BtreeNode validate(String source, int leafValueSize) {
        if (blocknr != location) {
            throw corrupt(source, "the node says it is block " + Long.toUnsignedString(blocknr)
                    + " (a misdirected write, or a pointer to the wrong block)");
        }
        if (flags != INTERNAL && flags != LEAF) {
            throw corrupt(source, String.format("flags are 0x%x, expected 1 (internal) or 2 (leaf)", flags));
        }
        int expected = isLeaf() ? leafValueSize : 8;
        if (valueSize != expected) {
            throw corrupt(source, (isLeaf() ? "leaf" : "internal node") + " value size is "
                    + Integer.toUnsignedString(valueSize) + " bytes, expected " + expected);
        }
        long maxFit = (Layout.BLOCK_SIZE - HEADER_BYTES) / (KEY_BYTES + expected);
        if (maxEntries <= 0 || maxEntries > maxFit) {
            throw corrupt(source, "max_entries is " + Integer.toUnsignedString(maxEntries) + ", but " + maxFit
                    + " entries of " + expected + "-byte values fill a block");
        }
        if (Integer.compareUnsigned(size, maxEntries) > 0) {
            throw corrupt(source, "nr_entries " + Integer.toUnsignedString(size) + " exceeds max_entries " + maxEntries);
        }
        if (size == 0 && !isLeaf()) {
            throw corrupt(source, "an internal node with no entries");
        }
        keys = new long[size];
        MemorySegment.copy(block, LE_LONG, HEADER_BYTES, keys, 0, size);
        if (valueSize == 8) {
            values = new long[size];
            MemorySegment.copy(block, LE_LONG, valuesOffset, values, 0, size);
        }
        checkKeys(source);
        return this;
    }

    private void checkKeys(String source) {
        long previous = -1;
        for (int i = 0; i < size; i++) {
            long k = keys[i];
            if (k < 0) {
                throw corrupt(source, "key " + i + " is " + Long.toUnsignedString(k) + ", out of range");
            }
            if (k <= previous) {
                throw corrupt(source, "keys are not ascending: key " + i + " is " + k + " after " + previous);
            }
            previous = k;
        }
    }

    CorruptPoolMetadataException corrupt(String source, String problem) {
        return new CorruptPoolMetadataException(source, location, "btree node: " + problem);
    }
}
