package org.lvmsync.changes;

import java.io.IOException;
import java.util.Arrays;

/**
 * The changed parts of a device as sorted, coalesced, non-overlapping runs of units (the
 * snapshot's chunk size).
 *
 * <p>Kept as a set of changed unit numbers in pages of {@value ChunkPage#UNITS} units
 * ({@link ChunkPage}): a page with few changes is a sorted array of 2-byte positions, a
 * busy one a bitmap. So memory is bounded twice over: by 2 bytes per changed chunk
 * (100 GiB of scattered 4 KiB changes: at most 52 MB, whatever the origin's size) and by
 * one bit per chunk of the origin (a 1 TiB origin: at most 32 MiB, however much
 * changed); adjacent chunks cost no more than scattered ones. Building needs no sort of
 * all the chunks and no second copy; runs come out of a {@link Cursor}, in order.
 */
public final class RunList {
    private static final ChunkPage[] NO_PAGES = {};

    private final long unitBytes;
    private final ChunkPage[] pages;
    private final long units;
    private final long runs;
    private final long lastRunOffset;
    private final long endOffset;

    private RunList(long unitBytes, ChunkPage[] pages) {
        this.unitBytes = unitBytes;
        this.pages = pages;
        long units = 0;
        for (ChunkPage p : pages) {
            units += p == null ? 0 : p.count();
        }
        this.units = units;
        long runs = 0;
        boolean previousSet = false;
        for (ChunkPage p : pages) {
            runs += p == null ? 0 : p.runStarts(previousSet);
            previousSet = p != null && p.nextClear(ChunkPage.UNITS - 1) == ChunkPage.UNITS;
        }
        this.runs = runs;
        this.lastRunOffset = pages.length == 0 ? 0 : lastRunStart() * unitBytes;
        this.endOffset = pages.length == 0 ? 0
                : (((long) (pages.length - 1) << ChunkPage.SHIFT) + pages[pages.length - 1].lastPosition() + 1) * unitBytes;
    }

    /** The unit where the last run starts, following it back across pages that end set. */
    private long lastRunStart() {
        int p = pages.length - 1;
        int start = pages[p].runStartOf(pages[p].lastPosition());
        while (start == 0 && p > 0 && pages[p - 1] != null
                && pages[p - 1].nextClear(ChunkPage.UNITS - 1) == ChunkPage.UNITS) {
            p--;
            start = pages[p].runStartOf(ChunkPage.UNITS - 1);
        }
        return ((long) p << ChunkPage.SHIFT) + start;
    }

    public static RunList empty(long unitBytes) {
        return new RunList(checkUnit(unitBytes), NO_PAGES);
    }

    /** Collects unit numbers in any order, with repeats; {@link Builder#build()} gives the runs. */
    public static Builder builder(long unitBytes) {
        return new Builder(checkUnit(unitBytes));
    }

    public long unitBytes() {
        return unitBytes;
    }

    /** Number of runs (maximal stretches of adjacent changed units). */
    public long runCount() {
        return runs;
    }

    public boolean isEmpty() {
        return units == 0;
    }

    /** Number of changed units (chunks). */
    public long unitCount() {
        return units;
    }

    public long totalBytes() {
        return units * unitBytes;
    }

    /** Byte offset of the first run's start (0 when empty). */
    public long firstRunOffset() {
        Cursor c = cursor();
        return c.next() ? c.offset() : 0;
    }

    /** Byte offset of the last run's start (0 when empty). */
    public long lastRunOffset() {
        return lastRunOffset;
    }

    /** Byte offset just past the last run (0 when empty). */
    public long endOffset() {
        return endOffset;
    }

    /** A fresh cursor before the first run; several may walk the same list independently. */
    public Cursor cursor() {
        return new Cursor();
    }

    /** Feeds every run, in ascending order, as byte offset and byte length. */
    public void forEach(RunConsumer consumer) throws IOException {
        for (Cursor c = cursor(); c.next(); ) {
            consumer.accept(c.offset(), c.length());
        }
    }

    /** Heap held by this list (page directory and pages, headers included), for memory accounting. */
    public long retainedBytes() {
        long bytes = 64 + 16 + 8L * pages.length;
        for (ChunkPage p : pages) {
            bytes += p == null ? 0 : p.retainedBytes();
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "RunList[" + runs + " runs, " + units + " x " + unitBytes + " bytes]";
    }

    private static long checkUnit(long unitBytes) {
        if (unitBytes <= 0) {
            throw new IllegalArgumentException("unit size must be positive: " + unitBytes);
        }
        return unitBytes;
    }

    /** Walks the runs in ascending order: {@code while (c.next()) use(c.offset(), c.length())}. */
    public final class Cursor {
        private long position;
        private long start = -1;
        private long length;

        private Cursor() {
        }

        /** Moves to the next run; false when there is none. */
        public boolean next() {
            long first = nextSet(position);
            if (first < 0) {
                start = -1;
                return false;
            }
            long end = nextClear(first + 1);
            start = first;
            length = end - first;
            position = end;
            return true;
        }

        /** Byte offset of the current run. */
        public long offset() {
            return start * unitBytes;
        }

        /** Byte length of the current run. */
        public long length() {
            return length * unitBytes;
        }

        private long nextSet(long from) {
            for (int p = (int) (from >>> ChunkPage.SHIFT); p < pages.length; p++) {
                int within = p == (int) (from >>> ChunkPage.SHIFT) ? (int) (from & ChunkPage.MASK) : 0;
                int at = pages[p] == null ? -1 : pages[p].nextSet(within);
                if (at >= 0) {
                    return ((long) p << ChunkPage.SHIFT) + at;
                }
            }
            return -1;
        }

        /** A run goes on across page boundaries while the next page starts set. */
        private long nextClear(long from) {
            int p = (int) (from >>> ChunkPage.SHIFT);
            int within = (int) (from & ChunkPage.MASK);
            while (p < pages.length && pages[p] != null) {
                int at = pages[p].nextClear(within);
                if (at < ChunkPage.UNITS) {
                    return ((long) p << ChunkPage.SHIFT) + at;
                }
                p++;
                within = 0;
            }
            return (long) p << ChunkPage.SHIFT;
        }
    }

    /** Collects unit numbers page by page; build() seals the pages into the list. */
    public static final class Builder {
        /** Page numbers are ints: units up to 2^47 (with 512-byte units, 64 PiB). */
        private static final long MAX_UNIT = ((long) Integer.MAX_VALUE << ChunkPage.SHIFT) - 1;

        private final long unitBytes;
        private final long maxUnit;
        private ChunkPage[] pages = new ChunkPage[16];
        private long added;
        private boolean built;

        private Builder(long unitBytes) {
            this.unitBytes = unitBytes;
            this.maxUnit = Math.min(MAX_UNIT, Long.MAX_VALUE / unitBytes - 1);
        }

        public void add(long unit) {
            if (unit < 0 || unit > maxUnit) {
                throw new IllegalArgumentException("unit number out of range: " + unit);
            }
            int p = page(unit);
            ChunkPage page = pages[p];
            if (page == null) {
                page = new ChunkPage.Sparse();
            }
            pages[p] = page.add((int) (unit & ChunkPage.MASK));
            added++;
        }

        /**
         * Units {@code [start, start + count)} in one call (a thin mapping walk's runs, a
         * whole device): pages the run covers whole become the shared full page, so a
         * long run costs a reference per page, not a bit per unit.
         */
        public void addRun(long start, long count) {
            if (count < 0 || start < 0 || start > maxUnit - Math.max(0, count - 1)) {
                throw new IllegalArgumentException("run out of range: " + start + " +" + count);
            }
            long end = start + count;
            long u = start;
            while (u < end) {
                if ((u & ChunkPage.MASK) == 0 && end - u >= ChunkPage.UNITS) {
                    int p = page(u);
                    pages[p] = ChunkPage.Full.PAGE;
                    added += ChunkPage.UNITS;
                    u += ChunkPage.UNITS;
                } else {
                    add(u++);
                }
            }
        }

        /** The index of the page of {@code unit}, the directory grown to hold it. */
        private int page(long unit) {
            if (built) {
                throw new IllegalStateException("builder already built");
            }
            int p = (int) (unit >>> ChunkPage.SHIFT);
            if (p >= pages.length) {
                pages = Arrays.copyOf(pages, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(p + 1L, 2L * pages.length)));
            }
            return p;
        }

        /** Units added so far, repeats included. */
        public long size() {
            return added;
        }

        public RunList build() {
            if (built) {
                throw new IllegalStateException("builder already built");
            }
            built = true;
            int used = pages.length;
            while (used > 0 && pages[used - 1] == null) {
                used--;
            }
            ChunkPage[] sealed = Arrays.copyOf(pages, used);
            pages = null;
            for (int i = 0; i < sealed.length; i++) {
                if (sealed[i] != null) {
                    sealed[i] = sealed[i].seal();
                }
            }
            return new RunList(unitBytes, sealed);
        }
    }
}
