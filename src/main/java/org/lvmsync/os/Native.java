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
import static org.lvmsync.bindings.libc.unistd_h.C_INT;
import static org.lvmsync.bindings.libc.unistd_h.C_LONG;
import static org.lvmsync.bindings.libc.unistd_h.C_POINTER;
import org.lvmsync.bindings.libc.string_h;
import org.lvmsync.bindings.libc.unistd_h;

/**
 * errno-capturing downcall handles. jextract emits plain handles (no
 * {@code captureCallState}), so the errno-setting functions are linked here, with the
 * bindings' C types, each on its first call (linking costs more than most runs need). Every
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

    // The C signatures, in the bindings' own C types. A descriptor is cheap; linking is
    // not (10-15 ms for each new signature, and jextract's accessors would link a plain
    // handle of their own first): each function is linked on its first call, in a
    // holder class of its own, straight from the C library's symbol. NativeTest checks
    // every descriptor here against the bindings' own.
    static final FunctionDescriptor OPEN_DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
    static final FunctionDescriptor IOCTL_DESC = FunctionDescriptor.of(C_INT, C_INT, C_LONG, C_POINTER);
    static final FunctionDescriptor FD_DESC = FunctionDescriptor.of(C_INT, C_INT);
    static final FunctionDescriptor RW_DESC = FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG);
    static final FunctionDescriptor PRW_DESC = FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG, C_LONG);
    static final FunctionDescriptor FTRUNCATE_DESC = FunctionDescriptor.of(C_INT, C_INT, C_LONG);
    static final FunctionDescriptor FALLOCATE_DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT, C_LONG, C_LONG);
    static final FunctionDescriptor PIPE2_DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
    static final FunctionDescriptor FSTAT_DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER);
    static final FunctionDescriptor MMAP_DESC =
            FunctionDescriptor.of(C_POINTER, C_POINTER, C_LONG, C_INT, C_INT, C_INT, C_LONG);
    static final FunctionDescriptor MUNMAP_DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG);
    static final FunctionDescriptor MADVISE_DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_INT);
    static final FunctionDescriptor MINCORE_DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_POINTER);
    static final FunctionDescriptor SPLICE_DESC =
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_INT, C_POINTER, C_LONG, C_INT);
    static final FunctionDescriptor VMSPLICE_DESC = FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG, C_INT);
    /** syscall(2) with two arguments (io_uring_setup: entries, params). */
    static final FunctionDescriptor SYSCALL_2_DESC = FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_POINTER);
    /** syscall(2) with six arguments (io_uring_enter: fd, to_submit, min_complete, flags, sigset, size). */
    static final FunctionDescriptor SYSCALL_6_DESC =
            FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_LONG, C_LONG, C_LONG, C_POINTER, C_LONG);
    static final FunctionDescriptor FCNTL_INT_DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT);

    private static final class OpenCall { static final MethodHandle H = link("open", OPEN_DESC, 2); }
    private static final class IoctlCall { static final MethodHandle H = link("ioctl", IOCTL_DESC, 2); }
    private static final class CloseCall { static final MethodHandle H = link("close", FD_DESC); }
    private static final class ReadCall { static final MethodHandle H = link("read", RW_DESC); }
    private static final class WriteCall { static final MethodHandle H = link("write", RW_DESC); }
    private static final class PreadCall { static final MethodHandle H = link("pread", PRW_DESC); }
    private static final class PwriteCall { static final MethodHandle H = link("pwrite", PRW_DESC); }
    private static final class FsyncCall { static final MethodHandle H = link("fsync", FD_DESC); }
    private static final class FdatasyncCall { static final MethodHandle H = link("fdatasync", FD_DESC); }
    private static final class FtruncateCall { static final MethodHandle H = link("ftruncate", FTRUNCATE_DESC); }
    private static final class FallocateCall { static final MethodHandle H = link("fallocate", FALLOCATE_DESC); }
    private static final class Pipe2Call { static final MethodHandle H = link("pipe2", PIPE2_DESC); }
    private static final class FstatCall { static final MethodHandle H = link("fstat", FSTAT_DESC); }
    private static final class MmapCall { static final MethodHandle H = link("mmap", MMAP_DESC); }
    private static final class MunmapCall { static final MethodHandle H = link("munmap", MUNMAP_DESC); }
    private static final class MadviseCall { static final MethodHandle H = link("madvise", MADVISE_DESC); }
    private static final class MincoreCall { static final MethodHandle H = link("mincore", MINCORE_DESC); }
    private static final class SpliceCall { static final MethodHandle H = link("splice", SPLICE_DESC); }
    private static final class VmspliceCall { static final MethodHandle H = link("vmsplice", VMSPLICE_DESC); }
    private static final class Syscall2Call { static final MethodHandle H = link("syscall", SYSCALL_2_DESC, 1); }
    private static final class Syscall6Call { static final MethodHandle H = link("syscall", SYSCALL_6_DESC, 1); }
    private static final class FcntlIntCall { static final MethodHandle H = link("fcntl", FCNTL_INT_DESC, 2); }

    private Native() {
    }

    private static MethodHandle link(String function, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address(function), descriptor, ERRNO);
    }

    /** A variadic function: the arguments from {@code firstVariadic} on are the variadic ones. */
    private static MethodHandle link(String function, FunctionDescriptor descriptor, int firstVariadic) {
        return LINKER.downcallHandle(address(function), descriptor, Linker.Option.firstVariadicArg(firstVariadic), ERRNO);
    }

    private static MemorySegment address(String function) {
        return LINKER.defaultLookup().find(function)
                .orElseThrow(() -> new UnsatisfiedLinkError("the C library has no " + function));
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
            return (int) OpenCall.H.invokeExact(state, path, flags, mode);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        try {
            return (int) IoctlCall.H.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CloseCall.H.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            return (long) ReadCall.H.invokeExact(state, fd, buf, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            return (long) WriteCall.H.invokeExact(state, fd, buf, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long pread(MemorySegment state, int fd, MemorySegment buf, long len, long offset) {
        try {
            return (long) PreadCall.H.invokeExact(state, fd, buf, len, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long pwrite(MemorySegment state, int fd, MemorySegment buf, long len, long offset) {
        try {
            return (long) PwriteCall.H.invokeExact(state, fd, buf, len, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fsync(MemorySegment state, int fd) {
        try {
            return (int) FsyncCall.H.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fdatasync(MemorySegment state, int fd) {
        try {
            return (int) FdatasyncCall.H.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int ftruncate(MemorySegment state, int fd, long length) {
        try {
            return (int) FtruncateCall.H.invokeExact(state, fd, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fallocate(MemorySegment state, int fd, int mode, long offset, long length) {
        try {
            return (int) FallocateCall.H.invokeExact(state, fd, mode, offset, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int pipe2(MemorySegment state, MemorySegment fds, int flags) {
        try {
            return (int) Pipe2Call.H.invokeExact(state, fds, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fstat(MemorySegment state, int fd, MemorySegment buf) {
        try {
            return (int) FstatCall.H.invokeExact(state, fd, buf);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static MemorySegment mmap(MemorySegment state, long len, int prot, int flags, int fd, long offset) {
        try {
            return (MemorySegment) MmapCall.H.invokeExact(state, MemorySegment.NULL, len, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int munmap(MemorySegment state, MemorySegment addr, long len) {
        try {
            return (int) MunmapCall.H.invokeExact(state, addr, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int madvise(MemorySegment state, MemorySegment addr, long len, int advice) {
        try {
            return (int) MadviseCall.H.invokeExact(state, addr, len, advice);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int mincore(MemorySegment state, MemorySegment addr, long len, MemorySegment vec) {
        try {
            return (int) MincoreCall.H.invokeExact(state, addr, len, vec);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long splice(MemorySegment state, int fdIn, MemorySegment offIn, int fdOut,
                       MemorySegment offOut, long len, int flags) {
        try {
            return (long) SpliceCall.H.invokeExact(state, fdIn, offIn, fdOut, offOut, len, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long vmsplice(MemorySegment state, int fd, MemorySegment iov, long count, int flags) {
        try {
            return (long) VmspliceCall.H.invokeExact(state, fd, iov, count, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * syscall(2) of a call with two arguments, an integer and a pointer. Integers go as
     * longs: the kernel truncates each argument to its declared type, and a variadic int
     * would leave the upper half of its register undefined.
     */
    static long syscall(MemorySegment state, long number, long a, MemorySegment b) {
        try {
            return (long) Syscall2Call.H.invokeExact(state, number, a, b);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** syscall(2) with four integers, a pointer and an integer (the shape of io_uring_enter). */
    static long syscall(MemorySegment state, long number, long a, long b, long c, long d, MemorySegment e, long f) {
        try {
            return (long) Syscall6Call.H.invokeExact(state, number, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** fcntl(2) with one int argument (F_SETPIPE_SZ, ...; commands that ignore it get 0). */
    static int fcntl(MemorySegment state, int fd, int cmd, int arg) {
        try {
            return (int) FcntlIntCall.H.invokeExact(state, fd, cmd, arg);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
