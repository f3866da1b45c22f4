package org.lvmsync.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README workflow up to the point where lvmsync runs: an origin LV filled with a
 * pattern, a classic snapshot of it, a full copy of the snapshot on the destination LV
 * (the "dd" step), then writes to the origin at scattered offsets, the first and the last
 * chunk among them. What a correct sync must send is known exactly: the chunks those
 * writes touched, nothing else.
 *
 * <p>The writes are chosen so that chunk rounding matters: a write straddling a 64 KiB
 * chunk border, two writes 4 KiB apart that share a 64 KiB chunk but not a 4 KiB one, a
 * run longer than a 1 MiB record.
 */
public final class SyncScenario {
    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;
    static final long OLD_SEED = 11;
    static final long NEW_SEED = 12;

    final LvmFixture lvm;
    final String origin;
    final String snapshot;
    final String destination;
    final long sizeBytes;
    final long chunkBytes;

    private SyncScenario(LvmFixture lvm, String origin, String snapshot, String destination, long sizeBytes,
            long chunkBytes) {
        this.lvm = lvm;
        this.origin = origin;
        this.snapshot = snapshot;
        this.destination = destination;
        this.sizeBytes = sizeBytes;
        this.chunkBytes = chunkBytes;
    }

    /**
     * Origin and destination of {@code mib} MiB, a snapshot with {@code chunkKib} chunks and a
     * COW of {@code cowMib} MiB, the full copy, and the scattered writes.
     */
    static SyncScenario prepare(LvmFixture lvm, String origin, String destination, long mib, int chunkKib,
            long cowMib) {
        SyncScenario s = prepareCopy(lvm, origin, destination, mib, chunkKib, cowMib);
        s.writeChanges();
        return s;
    }

    /** Everything up to and including the full copy; no change yet. */
    static SyncScenario prepareCopy(LvmFixture lvm, String origin, String destination, long mib, int chunkKib,
            long cowMib) {
        if (mib < 16) {
            throw new IllegalArgumentException("the scattered writes need 16 MiB or more, not " + mib);
        }
        String snapshot = origin + "-snap";
        lvm.linear(origin, mib);
        lvm.fill(origin, OLD_SEED);
        lvm.linear(destination, mib);
        lvm.snapshot(origin, snapshot, cowMib, chunkKib);
        Devices.copy(lvm.path(snapshot), lvm.path(destination));
        return new SyncScenario(lvm, origin, snapshot, destination, mib * MIB, chunkKib * KIB);
    }

    /** The scattered writes, {offset, length} in bytes, all multiples of 4 KiB. */
    List<long[]> writes() {
        long half = sizeBytes / 2;
        return List.of(
                new long[] {0, 4 * KIB},                              // first chunk
                new long[] {MIB + 12 * KIB, 8 * KIB},
                new long[] {5 * MIB + 60 * KIB, 8 * KIB},             // across a 64 KiB border
                new long[] {9 * MIB, 1536 * KIB},                     // longer than one record
                new long[] {half + 100 * KIB, 4 * KIB},               // these two share a 64 KiB chunk
                new long[] {half + 108 * KIB, 4 * KIB},
                new long[] {sizeBytes - 4 * KIB, 4 * KIB});           // last chunk
    }

    void writeChanges() {
        for (long[] w : writes()) {
            lvm.writePattern(origin, w[0], (int) w[1], NEW_SEED);
        }
    }

    /** The chunks the writes touched, as sorted, coalesced {offset, length} runs. */
    List<long[]> expectedRuns() {
        List<long[]> runs = new ArrayList<>();
        List<long[]> sorted = new ArrayList<>(writes());
        sorted.sort((a, b) -> Long.compare(a[0], b[0]));
        for (long[] w : sorted) {
            long start = w[0] / chunkBytes * chunkBytes;
            long end = Math.min(sizeBytes, (w[0] + w[1] + chunkBytes - 1) / chunkBytes * chunkBytes);
            long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && start <= last[0] + last[1]) {
                last[1] = Math.max(last[1], end - last[0]);
            } else {
                runs.add(new long[] {start, end - start});
            }
        }
        return runs;
    }

    /**
     * The bytes a sender reads for {@link #expectedRuns()} when runs at most {@code gap}
     * bytes apart are read in one request of at most {@link org.lvmsync.sync.Sender#IO_BYTES}
     * (the windows of {@code Sender}, worked out here on their own).
     */
    long expectedReadBytes(long gap) {
        long io = org.lvmsync.sync.Sender.IO_BYTES;
        long total = 0;
        List<long[]> runs = expectedRuns();
        for (int i = 0; i < runs.size(); ) {
            long start = runs.get(i)[0];
            long end = runs.get(i)[0] + runs.get(i)[1];
            i++;
            while (end - start <= io && i < runs.size() && runs.get(i)[0] - end <= gap
                    && runs.get(i)[0] + runs.get(i)[1] - start <= io) {
                end = runs.get(i)[0] + runs.get(i)[1];
                i++;
            }
            total += end - start;
        }
        return total;
    }

    long expectedBytes() {
        return expectedRuns().stream().mapToLong(r -> r[1]).sum();
    }

    Path originPath() {
        return lvm.path(origin);
    }

    Path destinationPath() {
        return lvm.path(destination);
    }

    /** {@code VG/LV} of the snapshot. */
    String snapshotVgLv() {
        return lvm.vg() + "/" + snapshot;
    }
}
