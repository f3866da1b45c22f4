package org.lvmsync.cow;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The walker's whole view of a COW device: a name for messages, a size, and positioned
 * reads. The walker only asks for ranges that start on a 4096-byte boundary and end on
 * one or at the end of the device, into 4096-aligned buffers, so an O_DIRECT
 * implementation can pass them straight to pread.
 */
public interface CowDevice {
    String name();

    long size() throws IOException;

    /** Fills {@code dst} from byte {@code offset}; a short device is an {@link EOFException}. */
    void readFully(MemorySegment dst, long offset) throws IOException;

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
            public void readFully(MemorySegment dst, long offset) throws IOException {
                if (offset < 0 || offset + dst.byteSize() > image.byteSize()) {
                    throw new EOFException(name + ": read of " + dst.byteSize() + " bytes at " + offset
                            + " passes the end (" + image.byteSize() + " bytes)");
                }
                MemorySegment.copy(image, offset, dst, 0, dst.byteSize());
            }
        };
    }
}
