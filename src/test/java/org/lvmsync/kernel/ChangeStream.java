package org.lvmsync.kernel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An independent reader of the original's stream format (SPEC 3), for checking what the
 * tool wrote: {@code "lvmsync PROTO[3]\n"}, then records of u64 offset, u32 length
 * (big-endian) and the data.
 */
final class ChangeStream {
    static final byte[] HANDSHAKE = "lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 12;

    private ChangeStream() {
    }

    /** The records' {offset, length}, in stream order; fails on a bad handshake or a cut record. */
    static List<long[]> records(byte[] stream) {
        assertTrue(stream.length >= HANDSHAKE.length, "stream of " + stream.length + " bytes has no handshake");
        byte[] head = java.util.Arrays.copyOf(stream, HANDSHAKE.length);
        assertArrayEquals(HANDSHAKE, head, "handshake: " + new String(head, StandardCharsets.ISO_8859_1));
        ByteBuffer buf = ByteBuffer.wrap(stream).position(HANDSHAKE.length);   // big-endian by default
        List<long[]> records = new ArrayList<>();
        while (buf.hasRemaining()) {
            assertTrue(buf.remaining() >= HEADER, "stream ends inside a record header at byte " + buf.position());
            long offset = buf.getLong();
            long length = Integer.toUnsignedLong(buf.getInt());
            assertTrue(buf.remaining() >= length, "record at " + offset + " of " + length
                    + " bytes cut short at stream byte " + stream.length);
            buf.position(buf.position() + (int) length);
            records.add(new long[] {offset, length});
        }
        return records;
    }

    /** Records sorted by offset, none overlapping the one before, none empty. */
    static void assertSortedDisjoint(List<long[]> records) {
        long end = 0;
        for (int i = 0; i < records.size(); i++) {
            long[] r = records.get(i);
            assertTrue(r[1] > 0, "record " + i + " is empty");
            assertTrue(r[0] >= end, "record " + i + " at " + r[0] + " starts before the previous one ends (" + end + ")");
            end = r[0] + r[1];
        }
    }

    /** Adjacent records joined: the ranges the stream covers. */
    static List<long[]> coalesce(List<long[]> records) {
        List<long[]> runs = new ArrayList<>();
        for (long[] r : records) {
            long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last[0] + last[1] == r[0]) {
                last[1] += r[1];
            } else {
                runs.add(new long[] {r[0], r[1]});
            }
        }
        return runs;
    }

    /** Fails unless both lists hold the same {offset, length} ranges. */
    static void assertSameRanges(List<long[]> expected, List<long[]> actual) {
        assertEquals(show(expected), show(actual), "changed ranges");
    }

    static String show(List<long[]> ranges) {
        StringBuilder sb = new StringBuilder();
        for (long[] r : ranges) {
            sb.append('[').append(r[0]).append(", +").append(r[1]).append(")\n");
        }
        return sb.toString();
    }
}
