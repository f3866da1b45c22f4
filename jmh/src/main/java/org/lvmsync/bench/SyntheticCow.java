package org.lvmsync.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Random;

/**
 * Persistent exception store images the way the kernel leaves them, written as sparse
 * files: header and metadata areas are real, the data chunks are holes (the walker never
 * reads them). A full 10 GiB COW of 4 KiB chunks costs 40 MiB of disk this way.
 */
final class SyntheticCow {
    private SyntheticCow() {
    }

    /**
     * Origin chunk numbers in the order the exceptions were made.
     * scattered: every other chunk (nothing coalesces), random order;
     * clustered: runs of 16 adjacent chunks with gaps, runs in random order;
     * sequential: 0..n-1 in order (one run).
     */
    static long[] oldChunks(String layout, int count, long seed) {
        long[] chunks = new long[count];
        Random random = new Random(seed);
        switch (layout) {
            case "scattered" -> {
                for (int i = 0; i < count; i++) {
                    chunks[i] = 2L * i;
                }
                shuffle(chunks, random);
            }
            case "clustered" -> {
                int clusters = (count + 15) / 16;
                long[] starts = new long[clusters];
                long at = 0;
                for (int c = 0; c < clusters; c++) {
                    starts[c] = at;
                    at += 16 + 1 + random.nextInt(64);
                }
                shuffle(starts, random);
                for (int i = 0; i < count; i++) {
                    chunks[i] = starts[i / 16] + i % 16;
                }
            }
            case "sequential" -> {
                for (int i = 0; i < count; i++) {
                    chunks[i] = i;
                }
            }
            default -> throw new IllegalArgumentException("layout " + layout);
        }
        return chunks;
    }

    /** Writes the store; returns nothing, the file at {@code path} is replaced. */
    static void write(Path path, int chunkBytes, long[] oldChunks) throws IOException {
        int epa = chunkBytes / 16;
        int areas = oldChunks.length / epa + 1; // a full last area is followed by a zeroed one
        long chunks = 1 + (long) (epa + 1) * areas;
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(0);
            file.setLength(chunks * chunkBytes);
            FileChannel channel = file.getChannel();
            ByteBuffer header = ByteBuffer.allocate(chunkBytes).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0x70416e53).putInt(1).putInt(1).putInt(chunkBytes / 512).clear();
            channel.write(header, 0);
            ByteBuffer area = ByteBuffer.allocate(chunkBytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int a = 0; a < areas; a++) {
                long areaChunk = 1 + (long) (epa + 1) * a;
                area.clear();
                for (int slot = 0; slot < epa; slot++) {
                    int k = a * epa + slot;
                    if (k >= oldChunks.length) {
                        break;
                    }
                    area.putLong(slot * 16, oldChunks[k]).putLong(slot * 16 + 8, areaChunk + 1 + slot);
                }
                if (a * epa < oldChunks.length || a == areas - 1) {
                    channel.write(area.clear(), areaChunk * chunkBytes);
                }
                java.util.Arrays.fill(area.array(), (byte) 0);
            }
        }
    }

    static long maxChunk(long[] chunks) {
        long max = 0;
        for (long c : chunks) {
            max = Math.max(max, c);
        }
        return max;
    }

    private static void shuffle(long[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
