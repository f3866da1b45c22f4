package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.lvmsync.bindings.libc.mman_h;

/**
 * A shared mapping of part of a file or device. The mapping owns a shared arena: closing
 * it unmaps the memory and invalidates the segment, so a stale segment fails with an
 * IllegalStateException instead of touching unmapped memory. Shared (not confined) because
 * mapped metadata is read by whichever thread walks it.
 */
public final class Mmap implements AutoCloseable {
    private static final long PAGE = 4096;

    private final Arena arena;
    private final MemorySegment segment;

    private Mmap(Arena arena, MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * Maps {@code [offset, offset+length)} of {@code fd}, which must lie within its size;
     * offset must be page aligned. The segment is exactly that long.
     */
    public static Mmap map(Fd fd, long offset, long length, boolean readOnly) throws ErrnoException {
        if (offset < 0 || offset % PAGE != 0) {
            throw new IllegalArgumentException("mmap offset " + offset + " of " + fd.name()
                    + " is not a multiple of the page size " + PAGE);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("mmap length " + length + " of " + fd.name() + " must be positive");
        }
        // a page mapped past the end of the file or device faults (SIGBUS) when touched,
        // which no bounds check of the segment would catch: map only what exists
        long size = fd.size();
        if (offset > size || length > size - offset) {
            throw new IllegalArgumentException("mmap of [" + offset + ", " + (offset + length) + ") of "
                    + fd.name() + " reaches past its end at " + size);
        }
        int prot = readOnly ? mman_h.PROT_READ() : mman_h.PROT_READ() | mman_h.PROT_WRITE();
        MemorySegment address;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(call);
            address = Native.mmap(errno, length, prot, mman_h.MAP_SHARED(), fd.raw(), offset);
            if (address.address() == -1L) { // MAP_FAILED
                throw new ErrnoException("mmap", fd.name(), Native.errno(errno));
            }
        }
        Arena owner = Arena.ofShared();
        MemorySegment mapped = address.reinterpret(length, owner, Mmap::unmap);
        return new Mmap(owner, mapped);
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Unmaps; idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    private static void unmap(MemorySegment mapped) {
        // munmap fails only for arguments we built ourselves; nothing to tell a user then
        try (Arena call = Arena.ofConfined()) {
            if (Native.munmap(Native.errnoState(call), mapped, mapped.byteSize()) != 0) {
                throw new AssertionError("munmap of " + mapped.byteSize() + " bytes failed");
            }
        }
    }
}
