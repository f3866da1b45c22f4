package org.lvmsync.io;

import java.lang.foreign.MemorySegment;

/**
 * Read buffers carved in turn out of one aligned region, for a queued engine. Results
 * are handed over in plan order, so buffers are released in the order they were taken:
 * a ring (first in, first out) needs no free lists and never fragments. An allocation
 * that does not fit before the end of the region starts again at its front, once the
 * oldest buffers there have been released.
 */
final class BufferRing {
    private final MemorySegment region;
    private final long[] starts;
    private final long[] ends;
    private int first;
    private int count;

    /** {@code region} aligned; at most {@code slots} buffers taken at once. */
    BufferRing(MemorySegment region, int slots) {
        this.region = region;
        this.starts = new long[slots];
        this.ends = new long[slots];
    }

    long capacity() {
        return region.byteSize();
    }

    /** A buffer of {@code length} bytes (aligned), or null while the ring has no room for it. */
    MemorySegment take(long length) {
        if (length <= 0 || length > region.byteSize()) {
            throw new IllegalArgumentException("buffer of " + length + " bytes from a ring of " + region.byteSize());
        }
        if (count == starts.length) {
            return null;
        }
        long start = place(length);
        if (start < 0) {
            return null;
        }
        int at = (first + count) % starts.length;
        starts[at] = start;
        ends[at] = start + length;
        count++;
        return region.asSlice(start, length);
    }

    /** Releases the oldest buffer still taken. */
    void releaseOldest() {
        if (count == 0) {
            throw new IllegalStateException("no buffer taken");
        }
        first = (first + 1) % starts.length;
        count--;
    }

    /** Gives back {@code buffer} if it is the one taken last (a read that could not be started). */
    void releaseNewest(MemorySegment buffer) {
        if (count == 0 || buffer.byteSize() == 0) {
            return;
        }
        int last = (first + count - 1) % starts.length;
        if (region.address() + starts[last] == buffer.address()) {
            count--;
        }
    }

    int taken() {
        return count;
    }

    private long place(long length) {
        if (count == 0) {
            first = 0;
            return 0;
        }
        long oldest = starts[first];
        int last = (first + count - 1) % starts.length;
        long free = ends[last];
        boolean wrapped = starts[last] < oldest;
        if (wrapped) {
            return free + length <= oldest ? free : -1;
        }
        if (free + length <= region.byteSize()) {
            return free;
        }
        return length <= oldest ? 0 : -1;
    }
}
