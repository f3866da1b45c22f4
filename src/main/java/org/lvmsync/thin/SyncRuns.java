package org.lvmsync.thin;

import org.lvmsync.changes.RunList;

/**
 * The one bridge from thin metadata to the sync path: virtual block ranges become a
 * {@link RunList} in units of the pool's data block size, so a run's byte offset and
 * length are blocks times that size.
 */
public final class SyncRuns {
    private SyncRuns() {
    }

    /** What changed on {@code originDev} since {@code snapshotDev} was taken: every kind of difference. */
    public static RunList changes(ThinMetadata metadata, long snapshotDev, long originDev) {
        RunList.Builder runs = RunList.builder(metadata.dataBlockBytes());
        ThinDiff.diff(metadata, snapshotDev, originDev, (begin, length, kind) -> addRange(runs, begin, length));
        return runs.build();
    }

    /** Every mapped block of {@code dev} (a first full copy reads only these). */
    public static RunList mapped(ThinMetadata metadata, long dev) {
        RunList.Builder runs = RunList.builder(metadata.dataBlockBytes());
        ThinDiff.mappings(metadata, dev, (begin, dataBegin, length, time) -> addRange(runs, begin, length));
        return runs.build();
    }

    private static void addRange(RunList.Builder runs, long begin, long length) {
        for (long b = begin; b < begin + length; b++) {
            runs.add(b);
        }
    }
}
