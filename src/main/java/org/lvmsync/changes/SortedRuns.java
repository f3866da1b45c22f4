package org.lvmsync.changes;

import java.util.Arrays;

/**
 * Builds a {@link RunList} from runs that arrive in ascending order (a thin diff, a
 * mapping walk), at the cost of the runs, not of their units: a sparse 1 TiB volume's
 * mapped blocks take 12 bytes per run here, where {@link RunList.Builder} takes 8 bytes
 * per unit. A run that touches or overlaps the one before is joined to it; a run longer
 * than a {@link RunList} run may be is split.
 */
public final class SortedRuns {
    private final long unitBytes;
    private long[] starts = new long[64];
    private int[] lengths = new int[64];
    private int count;
    private long total;
    private long end;   // units: just past the last run
    private boolean built;

    public SortedRuns(long unitBytes) {
        if (unitBytes <= 0) {
            throw new IllegalArgumentException("unit size must be positive: " + unitBytes);
        }
        this.unitBytes = unitBytes;
    }

    /** Units {@code [start, start + length)}; {@code start} must not lie before the previous run's start. */
    public void add(long start, long length) {
        if (built) {
            throw new IllegalStateException("already built");
        }
        if (start < 0 || length <= 0 || start > Long.MAX_VALUE / unitBytes - length) {
            throw new IllegalArgumentException("run out of range: " + start + " +" + length);
        }
        if (count > 0 && start < starts[count - 1]) {
            throw new IllegalArgumentException("run at " + start + " comes after the run at " + starts[count - 1]);
        }
        long from = Math.max(start, count > 0 ? end : start);
        long to = start + length;
        if (to <= from) {
            return; // inside the previous run
        }
        if (count > 0 && from == end) {
            from = extendLast(to);
        }
        while (from < to) {
            int n = (int) Math.min(Integer.MAX_VALUE, to - from);
            append(from, n);
            from += n;
        }
        end = Math.max(end, to);
    }

    /** Grows the last run toward {@code to} as far as an int length allows; returns where it stopped. */
    private long extendLast(long to) {
        int last = count - 1;
        long room = Integer.MAX_VALUE - (long) lengths[last];
        long grow = Math.min(room, to - end);
        lengths[last] += (int) grow;
        total += grow;
        return end + grow;
    }

    private void append(long start, int length) {
        if (count == starts.length) {
            int grown = count + (count >> 1) + 1;
            starts = Arrays.copyOf(starts, grown);
            lengths = Arrays.copyOf(lengths, grown);
        }
        starts[count] = start;
        lengths[count] = length;
        count++;
        total += length;
    }

    public int runCount() {
        return count;
    }

    public RunList build() {
        built = true;
        return RunList.ofSorted(unitBytes, Arrays.copyOf(starts, count), Arrays.copyOf(lengths, count), total);
    }
}
