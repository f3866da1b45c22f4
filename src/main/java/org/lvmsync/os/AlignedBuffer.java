package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Buffers for O_DIRECT I/O. The kernel wants address, file offset and length aligned to the
 * device's logical block size; 4096 covers every logical block size Linux block devices use
 * (512 and 4096), so one constant keeps callers simple.
 */
public final class AlignedBuffer {
    public static final long ALIGNMENT = 4096;

    private AlignedBuffer() {
    }

    /** A zeroed native segment of {@code size} rounded up to ALIGNMENT, at an aligned address. */
    public static MemorySegment allocate(Arena arena, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative buffer size " + size);
        }
        return arena.allocate(alignUp(size), ALIGNMENT);
    }

    public static boolean isAligned(long offsetOrLength) {
        return (offsetOrLength & (ALIGNMENT - 1)) == 0;
    }

    public static long alignDown(long v) {
        return v & -ALIGNMENT;
    }

    public static long alignUp(long v) {
        return Math.addExact(v, ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** True when a segment can be handed to an O_DIRECT read or write as is. */
    public static boolean isAligned(MemorySegment segment) {
        return segment.isNative() && isAligned(segment.address()) && isAligned(segment.byteSize());
    }
}
