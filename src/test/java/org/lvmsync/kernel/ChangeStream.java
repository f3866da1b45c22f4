package org.lvmsync.kernel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An independent reader of the stream formats (SPEC 3 and docs/stream-format.md), for
 * checking what the tool wrote: the original's {@code "lvmsync PROTO[3]\n"}, then records
 * of u64 offset, u32 length (big-endian) and the data; or the extended
 * {@code "lvmsync XPROTO[1]\n"}, then records of a 40-byte header (u8 type, u8 flags,
 * u16 0, u32 stored payload bytes, u64 number, u64 offset, u64 length, two CRCs) and the
 * payload. Checksums are the decoder's business; this reads the layout only.
 */
final class ChangeStream {
    static final byte[] HANDSHAKE = "lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EXTENDED = "lvmsync XPROTO[1]\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 12;
    private static final int EXTENDED_HEADER = 40;
    private static final int DATA = 2;
    private static final int DISCARD = 4;
    private static final int END = 5;

    private ChangeStream() {
    }

    /**
     * The records' {offset, length} (an extended stream's data, zero and discard records), in
     * stream order; fails on a bad handshake or a cut record.
     */
    static List<long[]> records(byte[] stream) {
        if (startsWith(stream, EXTENDED)) {
            return extendedRecords(stream);
        }
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

    private static boolean startsWith(byte[] stream, byte[] prefix) {
        return stream.length >= prefix.length
                && java.util.Arrays.equals(stream, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** An extended stream's extents, up to its end record, which must be the last bytes. */
    private static List<long[]> extendedRecords(byte[] stream) {
        ByteBuffer buf = ByteBuffer.wrap(stream).position(EXTENDED.length);
        List<long[]> records = new ArrayList<>();
        for (long number = 1; ; number++) {
            assertTrue(buf.remaining() >= EXTENDED_HEADER, "stream ends inside record " + number + "'s header at byte "
                    + buf.position() + " (no end record)");
            int type = Byte.toUnsignedInt(buf.get(buf.position()));
            long stored = Integer.toUnsignedLong(buf.getInt(buf.position() + 4));
            assertEquals(number, buf.getLong(buf.position() + 8), "record number at stream byte " + buf.position());
            long offset = buf.getLong(buf.position() + 16);
            long length = buf.getLong(buf.position() + 24);
            buf.position(buf.position() + EXTENDED_HEADER);
            assertTrue(buf.remaining() >= stored, "record " + number + "'s payload cut short");
            buf.position(buf.position() + (int) stored);
            if (type >= DATA && type <= DISCARD) {
                records.add(new long[] {offset, length});
            } else if (type == END) {
                assertEquals(0, buf.remaining(), "bytes after the end record");
                return records;
            }
        }
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
