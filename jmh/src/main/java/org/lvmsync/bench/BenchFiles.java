package org.lvmsync.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.Fd;

/**
 * Image files and loop devices for the I/O benchmarks. Files go to
 * {@code -Dlvmsync.bench.dir} (default {@code target/}), which must be on a real disk:
 * tmpfs refuses O_DIRECT and has no I/O cost to measure.
 */
final class BenchFiles {
    static final long GIB = 1L << 30;

    private BenchFiles() {
    }

    static Path dir() throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("lvmsync.bench.dir", "target")).toAbsolutePath());
    }

    /**
     * A file of {@code size} bytes of pseudo-random data (no holes, nothing compressible),
     * written once and kept between runs; made durable and dropped from the page cache.
     */
    static Path filled(String name, long size) throws IOException {
        Path file = dir().resolve(name);
        if (Files.exists(file) && Files.size(file) == size) {
            return file;
        }
        SplittableRandom random = new SplittableRandom(size);
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(file, Fd.O_RDWR | Fd.O_CREAT | Fd.O_TRUNC)) {
            MemorySegment block = AlignedBuffer.allocate(arena, 4L << 20);
            for (long at = 0; at < size; at += block.byteSize()) {
                for (long i = 0; i < block.byteSize(); i += 8) {
                    block.set(ValueLayout.JAVA_LONG, i, random.nextLong());
                }
                fd.pwriteFully(block.asSlice(0, Math.min(block.byteSize(), size - at)), at);
            }
            fd.fdatasync();
            fd.fadviseDontNeed(0, 0);
        }
        return file;
    }

    /** {@code count} distinct slot numbers below {@code slots}, ascending (the sender sends sorted runs). */
    static long[] sortedSlots(long slots, int count, long seed) {
        long[] all = new long[(int) slots];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(all.length - i);
            long t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        long[] picked = Arrays.copyOf(all, count);
        Arrays.sort(picked);
        return picked;
    }

    /** losetup with direct I/O onto the backing file; needs root. */
    static Path attachLoop(Path file) throws IOException {
        String device = run("losetup", "--find", "--show", "--direct-io=on", file.toString()).trim();
        return Path.of(device);
    }

    static void detachLoop(Path device) throws IOException {
        run("losetup", "-d", device.toString());
    }

    private static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (root needed for loop devices): " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
