package org.lvmsync.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import com.sun.nio.file.ExtendedOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whole-device operations for the end-to-end tests, in plain Java (never through the
 * product's classes): the full copy of the README's "dd" step, byte-for-byte comparison,
 * and how many of a device's pages sit in the page cache (mincore(2) over a read-only
 * mapping, what fincore does; fincore itself reports nothing for block devices).
 */
final class Devices {
    private static final int IO = 1 << 20;
    private static final int ALIGN = 4096;
    private static final long PAGE = 4096;

    private Devices() {
    }

    /** Copies all of {@code from} onto {@code to} (same size) with O_DIRECT, like dd oflag=direct. */
    static void copy(Path from, Path to) {
        ByteBuffer buf = aligned();
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
             FileChannel out = FileChannel.open(to, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            long size = in.size();
            assertEquals(size, out.size(), "sizes of " + from + " and " + to);
            for (long off = 0; off < size; off += IO) {
                buf.clear().limit((int) Math.min(IO, size - off));
                readFully(in, buf, off);
                buf.flip();
                while (buf.hasRemaining()) {
                    out.write(buf, off + buf.position());
                }
            }
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }

    /** Fails naming the first differing byte unless both devices hold the same bytes. */
    static void assertSameBytes(Path expected, Path actual) {
        ByteBuffer a = aligned();
        ByteBuffer b = aligned();
        byte[] x = new byte[IO];
        byte[] y = new byte[IO];
        try (FileChannel ca = FileChannel.open(expected, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
             FileChannel cb = FileChannel.open(actual, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            long size = ca.size();
            assertEquals(size, cb.size(), "sizes of " + expected + " and " + actual);
            for (long off = 0; off < size; off += IO) {
                int n = (int) Math.min(IO, size - off);
                a.clear().limit(n);
                b.clear().limit(n);
                readFully(ca, a, off);
                readFully(cb, b, off);
                a.flip().get(x, 0, n);
                b.flip().get(y, 0, n);
                int at = Arrays.mismatch(x, 0, n, y, 0, n);
                if (at >= 0) {
                    fail(actual + " differs from " + expected + " at byte " + (off + at));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compare " + expected + " and " + actual, e);
        }
    }

    /** True if both devices hold the same bytes. */
    static boolean sameBytes(Path a, Path b) {
        try {
            assertSameBytes(a, b);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** Sectors read from a block device so far, from /sys/dev/block/M:m/stat (the third field). */
    static long sectorsRead(Path device) {
        try (org.lvmsync.os.Fd fd = org.lvmsync.os.Fd.open(device, org.lvmsync.os.Fd.O_RDONLY)) {
            String stat = java.nio.file.Files.readString(Path.of("/sys/dev/block/" + fd.stat().rdev() + "/stat"));
            return Long.parseLong(stat.trim().split("\\s+")[2]);
        } catch (IOException e) {
            throw new UncheckedIOException("no block statistics for " + device, e);
        }
    }

    /** Pages of {@code file} (a block device or a regular file) in the page cache. */
    static long residentPages(Path file) {
        return org.lvmsync.testing.PageCache.residentPages(file);
    }

    private static ByteBuffer aligned() {
        return ByteBuffer.allocateDirect(IO + ALIGN).alignedSlice(ALIGN);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long offset) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) {
                throw new IOException("end of device at " + (offset + buf.position()));
            }
        }
    }
}
