package org.lvmsync.cow;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The walker's whole view of a COW device: a name for messages, a size, and positioned
 * reads. The walker only asks for 4096-aligned ranges into 4096-aligned buffers, so an
 * O_DIRECT implementation can pass them straight to pread.
 */
public interface CowDevice {
    String name();

    long size() throws IOException;

    /** Fills {@code dst} from byte {@code offset}; returns the bytes read, fewer only where the device ends. */
    long read(MemorySegment dst, long offset) throws IOException;

    /** A device held in memory (an image in a segment, or a mapped file). */
    static CowDevice of(String name, MemorySegment image) {
        return new CowDevice() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return image.byteSize();
            }

            @Override
            public long read(MemorySegment dst, long offset) {
                long n = Math.max(0, Math.min(dst.byteSize(), image.byteSize() - offset));
                MemorySegment.copy(image, offset, dst, 0, n);
                return n;
            }
        };
    }
}
