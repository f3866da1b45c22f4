package org.lvmsync.changes;

/**
 * Builds a {@link RunList} from runs that arrive in ascending order (a thin diff, a
 * mapping walk), checking that they do. The units go straight into the list's pages, so
 * building costs what the list costs: a sparse 1 TiB volume's mapped blocks are at most
 * one bit a block, never an object or an array entry per run.
 */
public final class SortedRuns {
    private final RunList.Builder builder;
    private long runStart = -1;   // units: start of the joined run the last add ended in
    private long end;             // units: just past the last run
    private long runs;

    public SortedRuns(long unitBytes) {
        this.builder = RunList.builder(unitBytes);
    }

    /**
     * Units {@code [start, start + length)}; {@code start} must not lie before the start of
     * the run the previous one joined. Units already added are not added again, so a run
     * that touches or overlaps the one before joins it.
     */
    public void add(long start, long length) {
        if (length <= 0 || start < 0) {
            throw new IllegalArgumentException("run out of range: " + start + " +" + length);
        }
        if (start < runStart) {
            throw new IllegalArgumentException("run at " + start + " comes after the run at " + runStart);
        }
        if (start > end || runStart < 0) {
            runStart = start;
        }
        long from = Math.max(start, end);
        long to = start + length;
        if (to > from) {
            builder.addRun(from, to - from);
            end = to;
        }
        runs++;
    }

    /** Runs added so far (before joining touching ones). */
    public long runCount() {
        return runs;
    }

    public RunList build() {
        return builder.build();
    }
}
