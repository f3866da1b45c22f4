package org.lvmsync.thin;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** Hand-made metadata blocks for the unit tests (little-endian, checksummed like the kernel's). */
final class Blocks {
    private Blocks() {
    }

    static ByteBuffer block() {
        return ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A btree node with the given keys and 8-byte values, sealed with the node salt. */
    static ByteBuffer node(long location, int flags, int maxEntries, long[] keys, long[] values) {
        ByteBuffer b = block();
        b.putInt(4, flags).putLong(8, location).putInt(16, keys.length).putInt(20, maxEntries).putInt(24, 8);
        for (int i = 0; i < keys.length; i++) {
            b.putLong(32 + 8 * i, keys[i]);
            b.putLong(32 + 8 * maxEntries + 8 * i, values[i]);
        }
        return seal(b, 121107);
    }

    static ByteBuffer seal(ByteBuffer b, int salt) {
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 4, 4092);
        b.putInt(0, ~(int) crc.getValue() ^ salt);
        return b;
    }

    static MemorySegment segment(ByteBuffer... blocks) {
        byte[] image = new byte[4096 * blocks.length];
        for (int i = 0; i < blocks.length; i++) {
            System.arraycopy(blocks[i].array(), 0, image, 4096 * i, 4096);
        }
        return MemorySegment.ofArray(image);
    }
}
