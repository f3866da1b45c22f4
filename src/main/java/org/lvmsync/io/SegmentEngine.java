package org.lvmsync.io;

import java.lang.foreign.MemorySegment;
import java.util.Iterator;

/**
 * An engine over bytes already in memory: an image built in a test, a mapped file. Reads
 * copy out of the segment; the segment belongs to the caller, closing the engine leaves
 * it alone.
 */
public final class SegmentEngine implements IoEngine {
    private final String name;
    private final MemorySegment image;

    public SegmentEngine(String name, MemorySegment image) {
        this.name = name;
        this.image = image;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return image.byteSize();
    }

    /** Bytes in memory do not grow. */
    @Override
    public boolean grow() {
        return false;
    }

    @Override
    public boolean isDirect() {
        return true;
    }

    @Override
    public int queueDepth() {
        return 1;
    }

    @Override
    public long read(MemorySegment dst, long offset) {
        long n = Math.max(0, Math.min(dst.byteSize(), image.byteSize() - offset));
        MemorySegment.copy(image, offset, dst, 0, n);
        return n;
    }

    /** Hands out slices of the image itself: nothing to copy, nothing to wait for. */
    @Override
    public void readMany(Iterator<Read> reads, long maxLength, ReadHandler handler) throws java.io.IOException {
        while (reads.hasNext()) {
            Read r = reads.next();
            QueuedEngine.checkLength(r, maxLength);
            long start = Math.min(r.offset(), image.byteSize());
            long end = Math.min(r.end(), image.byteSize());
            if (!handler.completed(r, image.asSlice(start, end - start).asReadOnly())) {
                return;
            }
        }
    }

    @Override
    public void close() {
    }
}
