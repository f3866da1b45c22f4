package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

import org.lvmsync.bindings.libc.mman_h;

/**
 * A shared mapping of part of a file or device. The mapping owns a shared arena: closing
 * it unmaps the memory and invalidates the segment, so a stale segment fails with an
 * IllegalStateException instead of touching unmapped memory. Shared (not confined) because
 * mapped metadata is read by whichever thread walks it. Its own calls on the mapping
 * (madvise, mincore) and the unmapping exclude each other: they pass the mapping's
 * address as a plain integer ({@link Native}), which keeps no arena open during the call.
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
        checkRange(fd, offset, length);
        // a page mapped past the end of the file or device faults (SIGBUS) when touched,
        // which no bounds check of the segment would catch: map only what exists
        long size = fd.size();
        if (offset > size || length > size - offset) {
            throw new IllegalArgumentException("mmap of [" + offset + ", " + (offset + length) + ") of "
                    + fd.name() + " reaches past its end at " + size);
        }
        return mapped(fd, offset, length, readOnly);
    }

    /**
     * Maps {@code length} bytes of a kernel object that {@code fd} hands out by an offset
     * token rather than a file position: io_uring's rings ({@code IORING_OFF_SQ_RING} and
     * the others), whose descriptor has no size to check against. The length must be what
     * the kernel said the object holds (io_uring_setup(2)'s parameters give each ring's
     * size): not every kernel refuses a longer mapping (6.18 maps the object's pages and
     * leaves the rest to fault), so that size is the bound. The segment is exactly that long.
     */
    public static Mmap mapKernelObject(Fd fd, long offsetToken, long length, boolean readOnly)
            throws ErrnoException {
        checkRange(fd, offsetToken, length);
        return mapped(fd, offsetToken, length, readOnly);
    }

    private static void checkRange(Fd fd, long offset, long length) {
        if (offset < 0 || offset % PAGE != 0) {
            throw new IllegalArgumentException("mmap offset " + offset + " of " + fd.name()
                    + " is not a multiple of the page size " + PAGE);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("mmap length " + length + " of " + fd.name() + " must be positive");
        }
    }

    private static Mmap mapped(Fd fd, long offset, long length, boolean readOnly) throws ErrnoException {
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

    /**
     * madvise(MADV_WILLNEED) on the pages covering {@code [offset, offset+length)}: the
     * kernel starts reading them in the background, so several such calls put their reads
     * in flight together instead of one page fault at a time.
     */
    public void adviseWillNeed(long offset, long length) throws ErrnoException {
        advise(offset, length, mman_h.MADV_WILLNEED(), "madvise(MADV_WILLNEED)");
    }

    /** madvise(MADV_DONTNEED) on the whole mapping: this process lets go of every page it touched. */
    public void adviseDontNeed() throws ErrnoException {
        advise(0, segment.byteSize(), mman_h.MADV_DONTNEED(), "madvise(MADV_DONTNEED)");
    }

    /** mincore(2): bit {@code i} is set when page {@code i} of the mapping is in the page cache. */
    public synchronized BitSet residentPages() throws ErrnoException {
        long pages = (segment.byteSize() + PAGE - 1) / PAGE;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment vec = call.allocate(pages);
            MemorySegment errno = Native.errnoState(call);
            if (Native.mincore(errno, segment, segment.byteSize(), vec) != 0) {
                throw new ErrnoException("mincore", "a mapping of " + segment.byteSize() + " bytes", Native.errno(errno));
            }
            BitSet resident = new BitSet((int) Math.min(pages, Integer.MAX_VALUE));
            for (long i = 0; i < pages; i++) {
                if ((vec.get(ValueLayout.JAVA_BYTE, i) & 1) != 0) {
                    resident.set(Math.toIntExact(i));
                }
            }
            return resident;
        }
    }

    private synchronized void advise(long offset, long length, int advice, String what) throws ErrnoException {
        long start = offset - offset % PAGE; // madvise wants a page-aligned start
        long end = Math.min(segment.byteSize(), offset + length);
        if (offset < 0 || length < 0 || start >= end) {
            throw new IllegalArgumentException(what + " of [" + offset + ", +" + length + ") outside a mapping of "
                    + segment.byteSize() + " bytes");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(call);
            if (Native.madvise(errno, segment.asSlice(start, end - start), end - start, advice) != 0) {
                throw new ErrnoException(what, "a mapping of " + segment.byteSize() + " bytes", Native.errno(errno));
            }
        }
    }

    /** Unmaps; idempotent. */
    @Override
    public synchronized void close() {
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
