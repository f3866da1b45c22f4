package org.lvmsync.apply;

import java.util.Arrays;

/**
 * The byte ranges already written in this run, kept compact for streams of millions of
 * unsorted 4 KiB records: no object per range, only sorted long arrays.
 *
 * <p>Built like a binary counter of sorted runs (a log-structured merge): each level holds
 * disjoint, sorted, coalesced ranges; adding a range merges it into level 0 and carries
 * full levels upward, so every range takes part in O(log n) merges. Levels may overlap one
 * another; queries look at all of them (at most ~40 levels). A sorted stream coalesces into
 * a handful of ranges and stays tiny.
 */
final class RangeSet {
    /** Receives one uncovered part {@code [start, end)}. */
    @FunctionalInterface
    interface GapConsumer {
        void gap(long start, long end) throws java.io.IOException;
    }

    private static final long[] EMPTY = new long[0];
    private static final int MAX_LEVELS = 64;

    private final long[][] starts = new long[MAX_LEVELS][];
    private final long[][] ends = new long[MAX_LEVELS][];

    RangeSet() {
        Arrays.fill(starts, EMPTY);
        Arrays.fill(ends, EMPTY);
    }

    /** Marks {@code [start, end)} as written. */
    void add(long start, long end) {
        long[] carryStarts = {start};
        long[] carryEnds = {end};
        int level = 0;
        while (starts[level].length > 0) {
            long[][] merged = union(starts[level], ends[level], carryStarts, carryEnds);
            carryStarts = merged[0];
            carryEnds = merged[1];
            starts[level] = EMPTY;
            ends[level] = EMPTY;
            level++;
        }
        starts[level] = carryStarts;
        ends[level] = carryEnds;
    }

    /** Number of disjoint ranges held over all levels (an upper bound on distinct ranges). */
    int storedRanges() {
        int n = 0;
        for (long[] s : starts) {
            n += s.length;
        }
        return n;
    }

    /** Calls {@code out} for each maximal part of {@code [start, end)} not covered, in order. */
    void forEachGap(long start, long end, GapConsumer out) throws java.io.IOException {
        int[] next = new int[MAX_LEVELS];
        for (int level = 0; level < MAX_LEVELS; level++) {
            next[level] = firstEndingAfter(ends[level], start);
        }
        long cursor = start;
        while (cursor < end) {
            int best = -1;
            long bestStart = end;
            for (int level = 0; level < MAX_LEVELS; level++) {
                int i = next[level];
                if (i < starts[level].length && starts[level][i] < bestStart) {
                    best = level;
                    bestStart = starts[level][i];
                }
            }
            if (best < 0) {
                break;
            }
            if (bestStart > cursor) {
                out.gap(cursor, bestStart);
            }
            cursor = Math.max(cursor, ends[best][next[best]]);
            next[best]++;
        }
        if (cursor < end) {
            out.gap(cursor, end);
        }
    }

    /** Index of the first range whose end lies after {@code point}. */
    private static int firstEndingAfter(long[] ends, long point) {
        int lo = 0;
        int hi = ends.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= point) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Merges two sorted disjoint lists into one sorted list, joining overlapping and touching ranges. */
    private static long[][] union(long[] aStarts, long[] aEnds, long[] bStarts, long[] bEnds) {
        long[] outStarts = new long[aStarts.length + bStarts.length];
        long[] outEnds = new long[outStarts.length];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < aStarts.length || j < bStarts.length) {
            boolean takeA = j >= bStarts.length || (i < aStarts.length && aStarts[i] <= bStarts[j]);
            long s = takeA ? aStarts[i] : bStarts[j];
            long e = takeA ? aEnds[i++] : bEnds[j++];
            if (n > 0 && s <= outEnds[n - 1]) {
                outEnds[n - 1] = Math.max(outEnds[n - 1], e);
            } else {
                outStarts[n] = s;
                outEnds[n++] = e;
            }
        }
        return new long[][] {Arrays.copyOf(outStarts, n), Arrays.copyOf(outEnds, n)};
    }
}
