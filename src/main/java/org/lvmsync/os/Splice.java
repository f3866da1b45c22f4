package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.lvmsync.bindings.libc.fcntl_h;
import org.lvmsync.bindings.libc.iovec;
import org.lvmsync.bindings.libc.mman_h;

/**
 * splice(2) and vmsplice(2): moving data into or out of a pipe without a copy through
 * user space.
 *
 * <p><b>Why the sender does not use vmsplice.</b> vmsplice puts references to the
 * caller's pages into the pipe; the data is copied only when the reader takes it out, and
 * a reader that splices it on (to a socket, another pipe, a file) keeps the same pages
 * referenced even longer. Until then the pages must not change. SPLICE_F_GIFT does not
 * help: it only promises the kernel that the pages are never modified again (moving pages
 * with SPLICE_F_MOVE has been a no-op since Linux 2.6.21). The sender reuses one aligned read buffer for every 4 MiB
 * O_DIRECT read, so it would have to know that the far side consumed a buffer before the
 * next read overwrites it, and no system call tells that: FIONREAD reaching zero only says
 * the bytes left this pipe, not that a reader that spliced them on is done with the pages
 * (ssh reads with read(2), but --rsh may be anything). The one provably safe scheme is to
 * never reuse the pages (fresh pages for every read; MADV_DONTNEED on the buffer after each
 * vmsplice), which costs a page fault and a zero-fill per 4 KiB: more than the copy it saves.
 * Measured (jmh StreamPathBenchmark: 1 GiB of 1 MiB records through the real StreamSink
 * into a 64 KiB pipe drained by 64 KiB read(2)s in another thread; 2 shared cores):
 * write(2) from the native buffer 4.2 GB/s, the former heap-copy path 3.6 GB/s, vmsplice
 * reusing the buffer (unsafe) 6.5 GB/s, vmsplice with fresh pages (safe, below) 0.8 GB/s;
 * into /dev/null, what the path itself costs the sender: heap copy 49 ms per GiB, write(2)
 * 0.7 ms per GiB.
 * ssh encrypts at about 1 GB/s per core at best, so write(2), one kernel copy straight
 * from the native buffer and no heap copy, is far from the bottleneck and always correct.
 * vmsplice stays here for benchmarks and for callers whose pages are never reused.
 *
 * <p>splice(2) moves pages between a file and a pipe inside the kernel (the file-to-pipe
 * path for sending from a file without reading it into user space).
 */
public final class Splice {
    public static final int SPLICE_F_MOVE = fcntl_h.SPLICE_F_MOVE();
    public static final int SPLICE_F_NONBLOCK = fcntl_h.SPLICE_F_NONBLOCK();
    public static final int SPLICE_F_MORE = fcntl_h.SPLICE_F_MORE();
    public static final int SPLICE_F_GIFT = fcntl_h.SPLICE_F_GIFT();

    private Splice() {
    }

    /**
     * One vmsplice(2) of {@code src} into a pipe's write end: the number of bytes queued,
     * possibly fewer than asked (a full pipe takes what fits, after blocking for room).
     * {@code src} must be native and must not change until the reader consumed the bytes
     * (see the class comment).
     */
    public static long vmsplice(Fd pipeWriteEnd, MemorySegment src, int flags) throws ErrnoException {
        if (!src.isNative()) {
            throw new IllegalArgumentException("vmsplice needs native memory, not a heap segment");
        }
        int fd = pipeWriteEnd.raw();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            MemorySegment iov = iovec.allocate(arena);
            iovec.iov_base(iov, src);
            iovec.iov_len(iov, src.byteSize());
            while (true) {
                long n = Native.vmsplice(errno, fd, iov, 1, flags);
                if (n >= 0) {
                    return n;
                }
                Fd.retryOrThrow(errno, "vmsplice", pipeWriteEnd.name());
            }
        }
    }

    /** vmsplice of all of {@code src}, looping over partial transfers. */
    public static void vmspliceFully(Fd pipeWriteEnd, MemorySegment src, int flags) throws ErrnoException {
        long done = 0;
        while (done < src.byteSize()) {
            done += vmsplice(pipeWriteEnd, src.asSlice(done), flags);
        }
    }

    /**
     * vmsplice of all of {@code pages}, then MADV_DONTNEED on them: the pipe holds the only
     * reference to the pages it got, and the next touch of {@code pages} maps fresh zero
     * pages. The caller may refill the buffer at once, whatever the reader does with the
     * pipe's pages. The price is a page fault and a zero-fill per 4 KiB on the next use.
     * {@code pages} must be page-aligned, whole pages, of private anonymous memory (what
     * an Arena allocates; not a file mapping, whose pages DONTNEED would not replace).
     */
    public static void vmspliceAndRelease(Fd pipeWriteEnd, MemorySegment pages) throws ErrnoException {
        if (!AlignedBuffer.isAligned(pages.address()) || !AlignedBuffer.isAligned(pages.byteSize())) {
            throw new IllegalArgumentException("vmspliceAndRelease needs whole, aligned pages: "
                    + pages.byteSize() + " bytes at 0x" + Long.toHexString(pages.address()));
        }
        vmspliceFully(pipeWriteEnd, pages, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            if (Native.madvise(errno, pages, pages.byteSize(), mman_h.MADV_DONTNEED()) != 0) {
                throw new ErrnoException("madvise(MADV_DONTNEED)", pipeWriteEnd.name(), Native.errno(errno));
            }
        }
    }

    /**
     * One splice(2) of up to {@code length} bytes from {@code in} to {@code out}; one of
     * them must be a pipe. An offset of -1 means "the descriptor's own file position"
     * (required for the pipe side); a non-negative offset is used for that transfer and the
     * file position is left alone. Returns the bytes moved, 0 at the end of the input.
     */
    public static long splice(Fd in, long inOffset, Fd out, long outOffset, long length, int flags)
            throws ErrnoException {
        int fdIn = in.raw();
        int fdOut = out.raw();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            MemorySegment offIn = offset(arena, inOffset);
            MemorySegment offOut = offset(arena, outOffset);
            while (true) {
                long n = Native.splice(errno, fdIn, offIn, fdOut, offOut, length, flags);
                if (n >= 0) {
                    return n;
                }
                Fd.retryOrThrow(errno, "splice", in.name() + " -> " + out.name());
            }
        }
    }

    private static MemorySegment offset(Arena arena, long offset) {
        return offset < 0 ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_LONG, offset);
    }
}
