package org.lvmsync.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bytes that depend on a seed and their own device offset, so a test can tell from any
 * 8-byte word which write it came from and where it was meant to land: a chunk copied to
 * the wrong offset, or a stale one, differs from the expected bytes.
 * Word w (offset 8w) holds splitmix64(seed ^ w * golden), little-endian.
 */
public final class TestPattern {
    private TestPattern() {
    }

    /** The {@code length} pattern bytes found at device {@code offset} (both multiples of 8). */
    public static byte[] bytes(long seed, long offset, int length) {
        if ((offset & 7) != 0 || (length & 7) != 0) {
            throw new IllegalArgumentException("pattern offset and length must be multiples of 8: "
                    + offset + ", " + length);
        }
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        long word = offset >>> 3;
        while (buf.hasRemaining()) {
            buf.putLong(mix(seed ^ (word++ * 0x9E3779B97F4A7C15L)));
        }
        return buf.array();
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
