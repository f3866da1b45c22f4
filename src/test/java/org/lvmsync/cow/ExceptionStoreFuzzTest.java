package org.lvmsync.cow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.lvmsync.changes.CorruptMetadataException;
import org.lvmsync.changes.RunList;
import org.lvmsync.io.SegmentEngine;
import org.lvmsync.testing.Fuzz;

/**
 * Fuzzing of the COW exception-store parser ({@link ExceptionStoreWalker} over an
 * in-memory {@link SegmentEngine}), run by {@link Fuzz}: valid stores from
 * {@link CowImage} walk to exactly their chunks; damaged ones (flipped bits, fields set
 * to extreme values, areas copied or zeroed, the device cut short) and plain junk are
 * refused with a one-line {@link CorruptMetadataException}, or walk to runs that lie
 * inside the origin. No other exception, and the walk always ends. (The format has no
 * checksum, so a damaged store can look valid; the bounds are what the walker owes.)
 */
class ExceptionStoreFuzzTest {
    static final int[] CHUNKS = {4096, 8192, 65536};

    record Store(byte[] image, long originSize, TreeSet<Long> chunks, int chunkBytes) {
    }

    static Store store(Random rnd) {
        int chunk = CHUNKS[rnd.nextInt(CHUNKS.length)];
        long originChunks = 1 + rnd.nextInt(1 << 16);
        int epa = chunk / 16;
        // sometimes exactly full areas (small chunks only: the image holds a data chunk per
        // exception), to walk into the zeroed area after them; at most ~4 MiB of image
        int n = chunk <= 8192 && rnd.nextInt(4) == 0 ? epa * (1 + rnd.nextInt(2))
                : rnd.nextInt(Math.min(2 * epa + 3, (4 << 20) / chunk));
        TreeSet<Long> chunks = new TreeSet<>();
        long[] old = new long[n];
        for (int i = 0; i < n; i++) {
            old[i] = rnd.nextLong(originChunks);
            chunks.add(old[i]);
        }
        CowImage img = new CowImage(chunk);
        img.slackChunks = rnd.nextInt(3);
        return new Store(img.build(old), originChunks * chunk - rnd.nextInt(chunk), chunks, chunk);
    }

    static final long[] INTERESTING = {0, 1, 2, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, 0xffffffffL, 16, 128};

    static byte[] damage(Random rnd, Store s) {
        byte[] b = s.image().clone();
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            // mostly the header and the metadata areas, where the parser looks
            int at = rnd.nextBoolean() ? rnd.nextInt(Math.min(b.length, 2 * s.chunkBytes()))
                    : rnd.nextInt(b.length);
            switch (rnd.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> {
                    int field = (at & -4) + 4 > b.length ? 0 : at & -4;
                    le.putInt(field, (int) INTERESTING[rnd.nextInt(INTERESTING.length)]);
                }
                case 2 -> {
                    int field = Math.min(at & -8, b.length - 8);
                    le.putLong(field, rnd.nextBoolean() ? INTERESTING[rnd.nextInt(INTERESTING.length)] : rnd.nextLong());
                }
                case 3 -> Arrays.fill(b, at, Math.min(b.length, at + 1 + rnd.nextInt(s.chunkBytes())), (byte) 0);
                case 4 -> {
                    int from = rnd.nextInt(b.length);
                    int n = Math.min(s.chunkBytes(), Math.min(b.length - from, b.length - at));
                    System.arraycopy(s.image(), from, b, at, n);
                }
                default -> {
                    return Arrays.copyOf(b, at);
                }
            }
        }
        return b;
    }

    /** Walks the image: null when refused (checked), else the runs (checked against the origin). */
    static RunList walk(byte[] image, long originSize) {
        try {
            RunList runs = ExceptionStoreWalker.changedChunks(new SegmentEngine("fuzz-cow", MemorySegment.ofArray(image)),
                    originSize);
            long chunks = image.length / runs.unitBytes();
            assertTrue(runs.unitCount() <= chunks, runs + " from a store of " + chunks + " chunks");
            assertTrue(runs.isEmpty() || runs.firstRunOffset() >= 0, "runs start inside the origin");
            assertTrue(runs.endOffset() <= originSize + runs.unitBytes() - 1, runs + " past the origin " + originSize);
            return runs;
        } catch (CorruptMetadataException e) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("fuzz-cow"), "names the device: " + e.getMessage());
            return null;
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("only CorruptMetadataException may come out of the walk: " + e, e);
        }
    }

    static TreeSet<Long> chunksOf(RunList runs) throws IOException {
        TreeSet<Long> got = new TreeSet<>();
        runs.forEach((offset, length) -> {
            for (long c = offset; c < offset + length; c += runs.unitBytes()) {
                got.add(c / runs.unitBytes());
            }
        });
        return got;
    }

    @Test
    void validStoresWalkToExactlyTheirChunks() {
        Fuzz.run("valid stores", 300, rnd -> {
            Store s = store(rnd);
            RunList runs = walk(s.image(), s.originSize());
            assertEquals(s.chunks(), chunksOf(runs));
        });
    }

    @Test
    void damagedStoresAreRefusedOrStayInBounds() {
        Fuzz.run("damaged stores", 1500, rnd -> {
            Store s = store(rnd);
            walk(damage(rnd, s), s.originSize());
        });
    }

    @Test
    void junkIsRefusedOrStaysInBounds() {
        Fuzz.run("junk stores", 1000, rnd -> {
            byte[] b = new byte[rnd.nextInt(3 * 65536)];
            if (rnd.nextBoolean()) {
                rnd.nextBytes(b);
            }
            ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            if (b.length >= 16 && rnd.nextBoolean()) {    // a plausible header over the junk
                le.putInt(0, 0x70416e53).putInt(4, 1).putInt(8, 1).putInt(12, 8 << rnd.nextInt(8));
            }
            walk(b, 1L + rnd.nextLong(1L << 40));
        });
    }
}
