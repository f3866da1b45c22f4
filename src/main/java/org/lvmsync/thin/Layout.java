package org.lvmsync.thin;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Facts every dm-thin metadata structure shares: little-endian fields in 4096-byte
 * blocks, and a checksum in the first four bytes of each block over bytes 4..4095,
 * stored as {@code ~crc32c(bytes) ^ salt} with a salt per kind of block.
 */
final class Layout {
    static final int BLOCK_SIZE = 4096;
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final int SUPERBLOCK_SALT = 160774;
    static final int BTREE_NODE_SALT = 121107;

    private Layout() {
    }

    /** The checksum a block with these contents must carry. */
    static int checksum(CRC32C crc, MemorySegment block, int salt) {
        crc.reset();
        crc.update(block.asSlice(4, BLOCK_SIZE - 4).asByteBuffer());
        return ~(int) crc.getValue() ^ salt;
    }

    static int storedChecksum(MemorySegment block) {
        return block.get(LE_INT, 0);
    }

    /** The data block of a mapping value {@code (data_block << 24) | time}. */
    static long dataBlock(long mappingValue) {
        return mappingValue >>> 24;
    }

    /** The time (snapshot epoch) of a mapping value. */
    static int time(long mappingValue) {
        return (int) (mappingValue & 0xFFFFFF);
    }
}
