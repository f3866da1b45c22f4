package org.lvmsync.thin;

import org.lvmsync.changes.RunList;
import org.lvmsync.changes.SortedRuns;

/**
 * What a sync of a thin device sends, as a {@link RunList} in units of the pool's data
 * block size, built run by run from the walk (memory follows the runs, not the blocks).
 *
 * <p>Sizes: thin devices may be resized after a snapshot, and dm-thin keeps the mappings
 * past a shrunk device's end. So runs never reach past the newer device's size
 * ({@code toBytes}: nothing there belongs to it any more), and when the newer device is
 * larger than the older one ({@code fromBytes}), everything from the older one's end to
 * the newer one's end is sent, mapped or not: the destination's own bytes there (from
 * before it was grown) are stale, and unmapped blocks must arrive as the zeros they read as.
 */
public final class ThinRuns {
    private ThinRuns() {
    }

    /**
     * What differs between thin devices {@code fromDev} (the older: a snapshot) and
     * {@code toDev} (the newer: its origin, or a later snapshot), of sizes
     * {@code fromBytes} and {@code toBytes}.
     */
    public static RunList changes(ThinMetadata metadata, long fromDev, long toDev, long fromBytes, long toBytes) {
        long block = metadata.dataBlockBytes();
        long limit = ceil(toBytes, block);
        // grown: from the older one's last whole block on (a partial last block is sent whole)
        long tail = toBytes > fromBytes ? fromBytes / block : limit;
        SortedRuns runs = new SortedRuns(block);
        ThinDiff.diff(metadata, fromDev, toDev, (begin, length, kind) -> clipped(runs, begin, length, tail));
        if (tail < limit) {
            runs.add(tail, limit - tail);
        }
        return runs.build();
    }

    /** Every mapped block of {@code dev} within its {@code sizeBytes} (what a first full copy reads). */
    public static RunList mapped(ThinMetadata metadata, long dev, long sizeBytes) {
        long block = metadata.dataBlockBytes();
        long limit = ceil(sizeBytes, block);
        SortedRuns runs = new SortedRuns(block);
        ThinDiff.mappings(metadata, dev, (begin, dataBegin, length, time) -> clipped(runs, begin, length, limit));
        return runs.build();
    }

    private static void clipped(SortedRuns runs, long begin, long length, long limit) {
        long end = Math.min(begin + length, limit);
        if (end > begin) {
            runs.add(begin, end - begin);
        }
    }

    private static long ceil(long bytes, long block) {
        return bytes / block + (bytes % block == 0 ? 0 : 1);
    }
}
