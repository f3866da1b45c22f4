package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import org.lvmsync.bindings.libc.syscall_h;
import org.lvmsync.bindings.uring.io_cqring_offsets;
import org.lvmsync.bindings.uring.io_sqring_offsets;
import org.lvmsync.bindings.uring.io_uring_cqe;
import org.lvmsync.bindings.uring.io_uring_h;
import org.lvmsync.bindings.uring.io_uring_params;
import org.lvmsync.bindings.uring.io_uring_sqe;

/**
 * One io_uring instance (Linux 5.6+), driven through io_uring_setup(2) and
 * io_uring_enter(2) by syscall(2) and its two rings mapped into this process; no liburing.
 *
 * <p>The submission ring holds indexes into an array of 64-byte entries (SQEs) that name
 * one operation each; the completion ring holds 16-byte results (CQEs) carrying back the
 * caller's {@code user_data}. Each ring is a single-producer, single-consumer queue
 * shared with the kernel: this side writes the SQ tail and the CQ head, the kernel the SQ
 * head and the CQ tail. The indexes are free-running 32-bit counters masked into the ring.
 * Ordering is the documented one: entries are written before the SQ tail is published
 * (release), the CQ tail is read before the entries it covers (acquire), and the CQ head
 * is published (release) only after those entries were read.
 *
 * <p>One owner, one thread. The caller keeps no more operations in flight than the
 * completion ring holds ({@link #entries()}; the CQ has twice as many slots), so no
 * completion can overflow.
 */
public final class Uring implements AutoCloseable {
    private static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();
    private static final long SQE_BYTES = io_uring_sqe.sizeof();
    private static final long CQE_BYTES = io_uring_cqe.sizeof();
    private static final int SYS_SETUP = syscall_h.SYS_io_uring_setup();
    private static final int SYS_ENTER = syscall_h.SYS_io_uring_enter();

    private final Fd ring;
    private final int fd;
    private final Mmap sqMap;
    private final Mmap cqMap;
    private final Mmap sqeMap;
    private final MemorySegment sq;
    private final MemorySegment cq;
    private final MemorySegment sqes;
    private final int entries;
    private final long sqHead, sqTail, sqMask, sqArray;
    private final long cqHead, cqTail, cqMask, cqEntries;
    /** errno capture for this ring's own calls: one owner thread, one call at a time. */
    private final Arena callArena = Arena.ofConfined();
    private final MemorySegment errno = Native.errnoState(callArena);
    private int tail;      // our copy of the SQ tail, ahead of the published one by the unsubmitted entries
    private int submitted; // the tail last handed to io_uring_enter

    private Uring(Fd ring, Mmap sqMap, Mmap cqMap, Mmap sqeMap, MemorySegment params) {
        this.ring = ring;
        this.sqMap = sqMap;
        this.cqMap = cqMap;
        this.sqeMap = sqeMap;
        this.sq = sqMap.segment();
        this.cq = cqMap.segment();
        this.sqes = sqeMap.segment();
        this.entries = io_uring_params.sq_entries(params);
        MemorySegment sqOff = io_uring_params.sq_off(params);
        MemorySegment cqOff = io_uring_params.cq_off(params);
        this.sqHead = Integer.toUnsignedLong(io_sqring_offsets.head(sqOff));
        this.sqTail = Integer.toUnsignedLong(io_sqring_offsets.tail(sqOff));
        // the offsets say where in the mapped ring each value lives; the masks are read from there
        this.sqMask = Integer.toUnsignedLong(sq.get(ValueLayout.JAVA_INT, io_sqring_offsets.ring_mask(sqOff)));
        this.sqArray = Integer.toUnsignedLong(io_sqring_offsets.array(sqOff));
        this.cqHead = Integer.toUnsignedLong(io_cqring_offsets.head(cqOff));
        this.cqTail = Integer.toUnsignedLong(io_cqring_offsets.tail(cqOff));
        this.cqMask = Integer.toUnsignedLong(cq.get(ValueLayout.JAVA_INT, io_cqring_offsets.ring_mask(cqOff)));
        this.cqEntries = Integer.toUnsignedLong(io_cqring_offsets.cqes(cqOff));
        this.fd = ring.raw();
        this.tail = (int) U32.getAcquire(sq, sqTail);
        this.submitted = tail;
    }

    /** Receives one completion: the caller's tag and the result (bytes, or -errno). */
    @FunctionalInterface
    public interface Completion {
        void completed(long userData, int result);
    }

    /**
     * Sets up a ring of at least {@code entries} submission slots (the kernel rounds up
     * to a power of two and clamps to its maximum). Fails with ENOSYS where the kernel has
     * no io_uring, EPERM where it is disabled (kernel.io_uring_disabled, seccomp), and
     * EINVAL where it lacks what this class relies on (IORING_OP_READ: Linux 5.6).
     */
    public static Uring setup(int entries) throws ErrnoException {
        Fd ring;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            MemorySegment params = io_uring_params.allocate(arena);
            io_uring_params.flags(params, io_uring_h.IORING_SETUP_CLAMP());
            long fd = Native.syscall(errno, SYS_SETUP, entries, params);
            if (fd < 0) {
                throw new ErrnoException("io_uring_setup", entries + " entries", Native.errno(errno));
            }
            ring = Fd.adopt((int) fd, "io_uring (fd " + fd + ")");
            try {
                return map(ring, params);
            } catch (ErrnoException | RuntimeException e) {
                closeQuietly(ring, e);
                throw e;
            }
        }
    }

    private static Uring map(Fd ring, MemorySegment params) throws ErrnoException {
        // RW_CUR_POS came with IORING_OP_READ (5.6); NODROP (5.5) means no completion is lost
        int need = io_uring_h.IORING_FEAT_RW_CUR_POS() | io_uring_h.IORING_FEAT_NODROP();
        if ((io_uring_params.features(params) & need) != need) {
            throw new ErrnoException("io_uring_setup", "features 0x" + Integer.toHexString(
                    io_uring_params.features(params)) + " (IORING_OP_READ needs Linux 5.6+)",
                    org.lvmsync.bindings.libc.errno_h.EINVAL());
        }
        MemorySegment sqOff = io_uring_params.sq_off(params);
        MemorySegment cqOff = io_uring_params.cq_off(params);
        long sqEntries = Integer.toUnsignedLong(io_uring_params.sq_entries(params));
        long cqEntries = Integer.toUnsignedLong(io_uring_params.cq_entries(params));
        long sqBytes = Integer.toUnsignedLong(io_sqring_offsets.array(sqOff)) + 4 * sqEntries;
        long cqBytes = Integer.toUnsignedLong(io_cqring_offsets.cqes(cqOff)) + CQE_BYTES * cqEntries;
        // Mapped one by one even where the kernel shares one mapping for both rings
        // (IORING_FEAT_SINGLE_MMAP): the offsets still work, and the code has one path.
        Mmap sqMap = Mmap.mapKernelObject(ring, io_uring_h.IORING_OFF_SQ_RING(), sqBytes, false);
        Mmap cqMap = null;
        try {
            cqMap = Mmap.mapKernelObject(ring, io_uring_h.IORING_OFF_CQ_RING(), cqBytes, false);
            Mmap sqeMap = Mmap.mapKernelObject(ring, io_uring_h.IORING_OFF_SQES(), SQE_BYTES * sqEntries, false);
            return new Uring(ring, sqMap, cqMap, sqeMap, params);
        } catch (ErrnoException | RuntimeException e) {
            sqMap.close();
            if (cqMap != null) {
                cqMap.close();
            }
            throw e;
        }
    }

    /** True for a result ({@code -errno}) that means "try the same operation again": EAGAIN, EINTR. */
    public static boolean isTransient(int errno) {
        return errno == Native.EINTR || errno == org.lvmsync.bindings.libc.errno_h.EAGAIN();
    }

    /** Submission slots; the caller keeps at most this many operations in flight. */
    public int entries() {
        return entries;
    }

    /**
     * Queues a read of {@code buffer.byteSize()} bytes from {@code fd} at {@code offset}
     * (not yet submitted). The buffer must be native (the kernel writes to its address;
     * a heap segment's address is an offset into its array) and stay valid until its
     * completion is reaped. Returns false when every submission slot is taken by
     * unsubmitted entries.
     */
    public boolean prepareRead(int fd, MemorySegment buffer, long offset, long userData) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("io_uring read into a heap segment: " + buffer);
        }
        // Without SQPOLL the kernel takes every submitted entry during io_uring_enter,
        // so only entries not yet submitted can fill the ring.
        if (tail - submitted >= entries) {
            return false;
        }
        int index = (int) (tail & sqMask);
        long at = index * SQE_BYTES;
        // Every one of the 64 bytes is written, field by field (no slice, no fill: this
        // runs once per read): the fields a read needs, the others 0.
        sqes.set(ValueLayout.JAVA_BYTE, at + io_uring_sqe.opcode$offset(), (byte) io_uring_h.IORING_OP_READ());
        sqes.set(ValueLayout.JAVA_BYTE, at + io_uring_sqe.flags$offset(), (byte) 0);
        sqes.set(ValueLayout.JAVA_SHORT, at + io_uring_sqe.ioprio$offset(), (short) 0);
        sqes.set(ValueLayout.JAVA_INT, at + io_uring_sqe.fd$offset(), fd);
        sqes.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.off$offset(), offset);
        sqes.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.addr$offset(), buffer.address());
        sqes.set(ValueLayout.JAVA_INT, at + io_uring_sqe.len$offset(), Math.toIntExact(buffer.byteSize()));
        sqes.set(ValueLayout.JAVA_INT, at + io_uring_sqe.rw_flags$offset(), 0);
        sqes.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.user_data$offset(), userData);
        sqes.set(ValueLayout.JAVA_INT, at + io_uring_sqe.buf_index$offset(), 0);   // and personality
        sqes.set(ValueLayout.JAVA_INT, at + io_uring_sqe.splice_fd_in$offset(), 0);
        sqes.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.addr3$offset(), 0L);
        sqes.set(ValueLayout.JAVA_LONG, at + io_uring_sqe.__pad2$offset(), 0L);
        sq.setAtIndex(ValueLayout.JAVA_INT, sqArray / 4 + index, index);
        tail++;
        return true;
    }

    /** Operations handed to the kernel whose completions were not reaped yet. */
    public int inKernel() {
        return submitted - (int) U32.get(cq, cqHead);
    }

    /** Entries prepared and not yet handed to the kernel. */
    public int unsubmitted() {
        return tail - submitted;
    }

    /**
     * Publishes the prepared entries and enters the kernel: submits them, and with
     * {@code waitFor > 0} waits until that many completions are ready. EINTR is retried.
     */
    public void submitAndWait(int waitFor) throws ErrnoException {
        U32.setRelease(sq, sqTail, tail);
        int flags = waitFor > 0 ? io_uring_h.IORING_ENTER_GETEVENTS() : 0;
        while (true) {
            int toSubmit = tail - submitted;
            long n = Native.syscall(errno, SYS_ENTER, fd, toSubmit, waitFor, flags, MemorySegment.NULL, 0);
            if (n >= 0) {
                submitted += (int) n;
                if (submitted == tail || waitFor > 0 && ready() >= waitFor) {
                    return;
                }
                continue; // the kernel took fewer than offered (short of memory): offer the rest
            }
            int e = Native.errno(errno);
            if (e != Native.EINTR) {
                throw new ErrnoException("io_uring_enter", ring.name(), e);
            }
            // interrupted: what was consumed shows in the SQ head
            submitted = (int) U32.getAcquire(sq, sqHead);
        }
    }

    /** Completions waiting to be reaped. */
    public int ready() {
        int kernelTail = (int) U32.getAcquire(cq, cqTail);
        return kernelTail - (int) U32.get(cq, cqHead);
    }

    /** Hands every waiting completion to {@code sink} and frees its slots; returns how many. */
    public int reap(Completion sink) {
        int head = (int) U32.get(cq, cqHead);
        int kernelTail = (int) U32.getAcquire(cq, cqTail);
        int n = 0;
        for (; head != kernelTail; head++, n++) {
            long at = cqEntries + (head & cqMask) * CQE_BYTES;
            sink.completed(cq.get(ValueLayout.JAVA_LONG, at + io_uring_cqe.user_data$offset()),
                    cq.get(ValueLayout.JAVA_INT, at + io_uring_cqe.res$offset()));
        }
        U32.setRelease(cq, cqHead, head);
        return n;
    }

    /**
     * Unmaps the rings and closes the ring. The caller must have reaped every operation it
     * submitted first: closing does not wait for reads still writing into its buffers.
     */
    @Override
    public void close() throws ErrnoException {
        callArena.close();
        sqeMap.close();
        cqMap.close();
        sqMap.close();
        ring.close();
    }

    private static void closeQuietly(Fd fd, Exception primary) {
        try {
            fd.close();
        } catch (ErrnoException e) {
            primary.addSuppressed(e);
        }
    }
}
