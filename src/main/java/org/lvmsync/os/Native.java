package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.bindings.libc.fcntl_h;
import org.lvmsync.bindings.libc.ioctl_h;
import org.lvmsync.bindings.libc.mman_h;
import org.lvmsync.bindings.libc.stat_h;
import org.lvmsync.bindings.libc.string_h;
import org.lvmsync.bindings.libc.unistd_h;

/**
 * errno-capturing downcall handles. jextract emits plain handles (no
 * {@code captureCallState}), so the errno-setting functions are re-linked here from the
 * bindings' own addresses and descriptors; the layouts stay defined in one place. Every
 * handle takes the capture segment as its first argument: callers pass a fresh segment
 * from their own confined arena, so no two calls (or threads) share errno state.
 * Each wrapper returns the raw result; checking it is the caller's job.
 */
final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE =
            STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static final int EINTR = errno_h.EINTR();

    // Each handle is linked on first use, in a holder class of its own: linking one costs
    // milliseconds in a cold JVM, and a command uses only a few of them.
    private static final class OpenHandle {
        static final MethodHandle H = link(fcntl_h.open.address(),
                fcntl_h.open.makeInvoker(fcntl_h.C_INT).descriptor(), Linker.Option.firstVariadicArg(2));
    }

    private static final class IoctlHandle {
        static final MethodHandle H = link(ioctl_h.ioctl.address(),
                ioctl_h.ioctl.makeInvoker(ioctl_h.C_POINTER).descriptor(), Linker.Option.firstVariadicArg(2));
    }

    private static final class CloseHandle {
        static final MethodHandle H = link(unistd_h.close$address(), unistd_h.close$descriptor());
    }

    private static final class ReadHandle {
        static final MethodHandle H = link(unistd_h.read$address(), unistd_h.read$descriptor());
    }

    private static final class WriteHandle {
        static final MethodHandle H = link(unistd_h.write$address(), unistd_h.write$descriptor());
    }

    private static final class PreadHandle {
        static final MethodHandle H = link(unistd_h.pread$address(), unistd_h.pread$descriptor());
    }

    private static final class PwriteHandle {
        static final MethodHandle H = link(unistd_h.pwrite$address(), unistd_h.pwrite$descriptor());
    }

    private static final class FsyncHandle {
        static final MethodHandle H = link(unistd_h.fsync$address(), unistd_h.fsync$descriptor());
    }

    private static final class FdatasyncHandle {
        static final MethodHandle H = link(unistd_h.fdatasync$address(), unistd_h.fdatasync$descriptor());
    }

    private static final class Pipe2Handle {
        static final MethodHandle H = link(unistd_h.pipe2$address(), unistd_h.pipe2$descriptor());
    }

    private static final class FstatHandle {
        static final MethodHandle H = link(stat_h.fstat$address(), stat_h.fstat$descriptor());
    }

    private static final class MmapHandle {
        static final MethodHandle H = link(mman_h.mmap$address(), mman_h.mmap$descriptor());
    }

    private static final class MunmapHandle {
        static final MethodHandle H = link(mman_h.munmap$address(), mman_h.munmap$descriptor());
    }

    private static final class MadviseHandle {
        static final MethodHandle H = link(mman_h.madvise$address(), mman_h.madvise$descriptor());
    }

    private static final class MincoreHandle {
        static final MethodHandle H = link(mman_h.mincore$address(), mman_h.mincore$descriptor());
    }

    private static final class SpliceHandle {
        static final MethodHandle H = link(fcntl_h.splice$address(), fcntl_h.splice$descriptor());
    }

    private static final class VmspliceHandle {
        static final MethodHandle H = link(fcntl_h.vmsplice$address(), fcntl_h.vmsplice$descriptor());
    }

    private static final class FcntlIntHandle {
        static final MethodHandle H = link(fcntl_h.fcntl.address(),
                fcntl_h.fcntl.makeInvoker(fcntl_h.C_INT).descriptor(), Linker.Option.firstVariadicArg(2));
    }

    private Native() {
    }

    private static MethodHandle link(MemorySegment address, FunctionDescriptor descriptor,
                                     Linker.Option... options) {
        Linker.Option[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = ERRNO;
        return LINKER.downcallHandle(address, descriptor, all);
    }

    /** A fresh errno capture segment for one call. */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(STATE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO_VALUE.get(state, 0L);
    }

    /**
     * strerrorname_np came with glibc 2.32; on older hosts (Debian 11, Ubuntu 20.04: 2.31)
     * the message names the number instead. Asked of the C library once, not linked
     * blindly, or describing any error would itself fail to link there.
     */
    private static final boolean HAVE_ERRNO_NAMES =
            LINKER.defaultLookup().find("strerrorname_np").isPresent();

    /**
     * The most bytes read of a strerror(3) text: glibc's longest message has 49 characters,
     * "Unknown error -2147483648" 25; strerrorname_np(3) names ("ENOTRECOVERABLE") at most 15.
     */
    private static final long MESSAGE_CAPACITY = 256;
    private static final long NAME_CAPACITY = 32;

    /** "Device or resource busy (EBUSY)"; unknown numbers still print something useful. */
    static String describe(int errno) {
        return describe(errno, HAVE_ERRNO_NAMES);
    }

    /** As above; {@code withName} false is the message on a C library without strerrorname_np. */
    static String describe(int errno, boolean withName) {
        String text = CString.at(string_h.strerror(errno), MESSAGE_CAPACITY).orElse("error " + errno);
        String name = withName ? CString.at(string_h.strerrorname_np(errno), NAME_CAPACITY).orElse(null) : null;
        return text + " (" + (name == null ? "errno " + errno : name) + ")";
    }

    static int open(MemorySegment state, MemorySegment path, int flags, int mode) {
        try {
            return (int) OpenHandle.H.invokeExact(state, path, flags, mode);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        try {
            return (int) IoctlHandle.H.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CloseHandle.H.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            return (long) ReadHandle.H.invokeExact(state, fd, buf, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            return (long) WriteHandle.H.invokeExact(state, fd, buf, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long pread(MemorySegment state, int fd, MemorySegment buf, long len, long offset) {
        try {
            return (long) PreadHandle.H.invokeExact(state, fd, buf, len, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long pwrite(MemorySegment state, int fd, MemorySegment buf, long len, long offset) {
        try {
            return (long) PwriteHandle.H.invokeExact(state, fd, buf, len, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fsync(MemorySegment state, int fd) {
        try {
            return (int) FsyncHandle.H.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fdatasync(MemorySegment state, int fd) {
        try {
            return (int) FdatasyncHandle.H.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int pipe2(MemorySegment state, MemorySegment fds, int flags) {
        try {
            return (int) Pipe2Handle.H.invokeExact(state, fds, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fstat(MemorySegment state, int fd, MemorySegment buf) {
        try {
            return (int) FstatHandle.H.invokeExact(state, fd, buf);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static MemorySegment mmap(MemorySegment state, long len, int prot, int flags, int fd, long offset) {
        try {
            return (MemorySegment) MmapHandle.H.invokeExact(state, MemorySegment.NULL, len, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int munmap(MemorySegment state, MemorySegment addr, long len) {
        try {
            return (int) MunmapHandle.H.invokeExact(state, addr, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int madvise(MemorySegment state, MemorySegment addr, long len, int advice) {
        try {
            return (int) MadviseHandle.H.invokeExact(state, addr, len, advice);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int mincore(MemorySegment state, MemorySegment addr, long len, MemorySegment vec) {
        try {
            return (int) MincoreHandle.H.invokeExact(state, addr, len, vec);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long splice(MemorySegment state, int fdIn, MemorySegment offIn, int fdOut,
                       MemorySegment offOut, long len, int flags) {
        try {
            return (long) SpliceHandle.H.invokeExact(state, fdIn, offIn, fdOut, offOut, len, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long vmsplice(MemorySegment state, int fd, MemorySegment iov, long count, int flags) {
        try {
            return (long) VmspliceHandle.H.invokeExact(state, fd, iov, count, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** fcntl(2) with one int argument (F_SETPIPE_SZ, ...; commands that ignore it get 0). */
    static int fcntl(MemorySegment state, int fd, int cmd, int arg) {
        try {
            return (int) FcntlIntHandle.H.invokeExact(state, fd, cmd, arg);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
