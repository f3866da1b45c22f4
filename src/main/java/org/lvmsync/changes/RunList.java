package org.lvmsync.changes;

import java.io.IOException;
import java.util.Arrays;

/**
 * The changed parts of a device as sorted, coalesced, non-overlapping runs.
 *
 * <p>A run is kept as a start and a length counted in units of {@link #unitBytes()} (the
 * snapshot's chunk size): one {@code long} and one {@code int} per run in two primitive
 * arrays, never an object per chunk. 2.6 million scattered 4 KiB chunks (a full 10 GiB
 * COW) cost at most 12 bytes each here; adjacent chunks cost nothing extra.
 */
public final class RunList {
    private final long unitBytes;
    private final long[] starts;
    private final int[] lengths;
    private final long totalUnits;

    private RunList(long unitBytes, long[] starts, int[] lengths, long totalUnits) {
        this.unitBytes = unitBytes;
        this.starts = starts;
        this.lengths = lengths;
        this.totalUnits = totalUnits;
    }

    public static RunList empty(long unitBytes) {
        return new RunList(checkUnit(unitBytes), new long[0], new int[0], 0);
    }

    /** Collects unit numbers in any order, with repeats; {@link Builder#build()} sorts and coalesces. */
    public static Builder builder(long unitBytes) {
        return new Builder(checkUnit(unitBytes));
    }

    public long unitBytes() {
        return unitBytes;
    }

    public int runCount() {
        return starts.length;
    }

    public boolean isEmpty() {
        return starts.length == 0;
    }

    /** Byte offset of run {@code i}. */
    public long offset(int i) {
        return starts[i] * unitBytes;
    }

    /** Byte length of run {@code i}. */
    public long length(int i) {
        return lengths[i] * unitBytes;
    }

    /** Number of changed units (chunks). */
    public long unitCount() {
        return totalUnits;
    }

    public long totalBytes() {
        return totalUnits * unitBytes;
    }

    /** Byte offset just past the last run (0 when empty). */
    public long endOffset() {
        int last = starts.length - 1;
        return last < 0 ? 0 : offset(last) + length(last);
    }

    /** Feeds every run, in ascending order, as byte offset and byte length. */
    public void forEach(RunConsumer consumer) throws IOException {
        for (int i = 0; i < starts.length; i++) {
            consumer.accept(offset(i), length(i));
        }
    }

    /** Heap held by this list's arrays (headers included), for memory accounting. */
    public long retainedBytes() {
        return 16 + 8L * starts.length + 16 + 4L * lengths.length + 32;
    }

    @Override
    public String toString() {
        return "RunList[" + starts.length + " runs, " + totalUnits + " x " + unitBytes + " bytes]";
    }

    private static long checkUnit(long unitBytes) {
        if (unitBytes <= 0) {
            throw new IllegalArgumentException("unit size must be positive: " + unitBytes);
        }
        return unitBytes;
    }

    /**
     * Collects unit numbers into a growable {@code long[]}; build() sorts it and rewrites
     * the run starts into the front of the same array, so the peak is that one array
     * plus the final lengths.
     */
    public static final class Builder {
        // Arrays.sort and the JVM cap arrays a little below Integer.MAX_VALUE elements.
        private static final int MAX_UNITS = Integer.MAX_VALUE - 8;

        private final long unitBytes;
        private long[] units = new long[1024];
        private int size;

        private Builder(long unitBytes) {
            this.unitBytes = unitBytes;
        }

        public void add(long unit) {
            if (unit < 0 || unit > Long.MAX_VALUE / unitBytes - 1) {
                throw new IllegalArgumentException("unit number out of range: " + unit);
            }
            if (units == null) {
                throw new IllegalStateException("builder already built");
            }
            if (size == units.length) {
                grow();
            }
            units[size++] = unit;
        }

        /** Units added so far, repeats included. */
        public int size() {
            return size;
        }

        public RunList build() {
            long[] sorted = units;
            int n = size;
            units = null; // the array is reused for the result; this builder is spent
            Arrays.sort(sorted, 0, n);
            int runs = countRuns(sorted, n);
            int[] lengths = new int[runs];
            long total = coalesceInPlace(sorted, n, lengths);
            return new RunList(unitBytes, Arrays.copyOf(sorted, runs), lengths, total);
        }

        private void grow() {
            if (units.length >= MAX_UNITS) {
                throw new IllegalStateException("more than " + MAX_UNITS + " changed chunks");
            }
            long wanted = units.length + (units.length >> 1) + 1;
            units = Arrays.copyOf(units, (int) Math.min(wanted, MAX_UNITS));
        }

        /** A run ends where the next unit is neither a repeat nor the successor, or the length would overflow an int. */
        private static int countRuns(long[] a, int n) {
            int runs = 0;
            long runStart = 0;
            long prev = -2;
            for (int i = 0; i < n; i++) {
                long u = a[i];
                if (u == prev) {
                    continue;
                }
                if (u != prev + 1 || u - runStart >= Integer.MAX_VALUE) {
                    runs++;
                    runStart = u;
                }
                prev = u;
            }
            return runs;
        }

        /** Writes run starts over the front of {@code a} (run index never passes unit index) and lengths into {@code lengths}. */
        private static long coalesceInPlace(long[] a, int n, int[] lengths) {
            int run = -1;
            long runStart = 0;
            long prev = -2;
            long total = 0;
            for (int i = 0; i < n; i++) {
                long u = a[i];
                if (u == prev) {
                    continue;
                }
                if (u != prev + 1 || u - runStart >= Integer.MAX_VALUE) {
                    run++;
                    a[run] = u;
                    runStart = u;
                }
                lengths[run]++;
                total++;
                prev = u;
            }
            return total;
        }
    }
}
