package org.lvmsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.lvmsync.changes.RunList;
import org.lvmsync.cow.CowChangeSource;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.IoEngines;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.lvmsync.bindings.libc.fcntl_h;
import org.lvmsync.os.Fd;
import org.lvmsync.os.Mmap;

/**
 * The COW walk in process, end to end: a synthetic exception store of EXCEPTIONS
 * scattered 4 KiB exceptions (as the kernel leaves it) is walked into a run list REPEAT
 * times through the chosen engine; each walk starts from a cold cache of that file
 * (dropped with fadvise, the file only). Prints one line per walk: "exceptions runs ms
 * prefetch_ms" (the last only for the mmap variant: its WILLNEED calls).
 *
 * <p>ENGINE {@code mmap} is the design card's alternative, kept here to be measured side
 * by side: the store mapped after its cache was dropped, every area's page asked for at
 * once with WILLNEED, the areas scanned in place into the same run list, the pages
 * dropped after (no validation: it can only be faster than a real walk that way).
 */
final class Walk {
    private Walk() {
    }

    static void run(Path image, int exceptions, String engine, int depth, int repeat) throws IOException {
        long[] chunks = SyntheticCow.oldChunks("scattered", exceptions, 42);
        long originSize = (SyntheticCow.maxChunk(chunks) + 1) * 4096;
        if (!Files.exists(image)) {
            SyntheticCow.write(image, 4096, chunks);
        }
        IoEngines.Choice choice = engine.equals("mmap") ? null
                : new IoEngines.Choice(IoEngines.Kind.valueOf(engine.toUpperCase(Locale.ROOT)), depth);
        for (int i = 0; i < repeat; i++) {
            try (Fd fd = Fd.open(image, Fd.O_RDONLY)) {
                fd.fadviseDontNeed(0, 0);
            }
            long t0 = System.nanoTime();
            RunList runs;
            prefetchNanos = 0;
            if (choice == null) {
                runs = mapped(image);
            } else {
                try (IoEngine cow = IoEngines.open(image, choice)) {
                    runs = new CowChangeSource(cow, originSize).changes();
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (runs.unitCount() != exceptions) {
                throw new AssertionError("walked " + runs.unitCount() + " of " + exceptions);
            }
            System.out.printf(Locale.ROOT, "%d %d %.1f %.1f%n", exceptions, runs.runCount(), ms, prefetchNanos / 1e6);
        }
    }

    /** Time the mmap variant spent in its WILLNEED calls (the last column of its lines). */
    private static long prefetchNanos;

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The mmap + WILLNEED walk of a 4 KiB-chunk store (256 exceptions an area). */
    private static RunList mapped(Path image) throws IOException {
        long chunk = 4096;
        long epa = chunk / 16;
        try (Fd fd = Fd.open(image, Fd.O_RDONLY)) {
            fd.flushBlockBuffers();
            long size = fd.size();
            RunList.Builder builder = RunList.builder(chunk);
            try (Mmap map = Mmap.map(fd, 0, size, true)) {
                long p0 = System.nanoTime();
                for (long area = 0; (1 + (epa + 1) * area + 1) * chunk <= size; area++) {
                    int r = fcntl_h.posix_fadvise(fd.raw(), (1 + (epa + 1) * area) * chunk, chunk,
                            fcntl_h.POSIX_FADV_WILLNEED());
                    if (r != 0) {
                        throw new IOException("posix_fadvise WILLNEED: error " + r);
                    }
                }
                prefetchNanos = System.nanoTime() - p0;
                MemorySegment store = map.segment();
                for (long area = 0; ; area++) {
                    long at = (1 + (epa + 1) * area) * chunk;
                    long i = 0;
                    for (; i < epa; i++) {
                        if (store.get(LE_LONG, at + 16 * i + 8) == 0) {
                            break;
                        }
                        builder.add(store.get(LE_LONG, at + 16 * i));
                    }
                    if (i < epa) {
                        break;
                    }
                }
            } finally {
                fd.fadviseDontNeed(0, 0);
            }
            return builder.build();
        }
    }
}
