package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;

import org.lvmsync.bindings.libc.errno_h;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
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
 *
 * <p><b>One shape for the control calls.</b> The JVM makes a stub for each distinct
 * signature it links, 8-15 ms apiece in a cold JVM even with the AOT cache (the
 * stubs are generated classes, which the cache does not hold): the eight calls of a
 * thin-delta run cost more than its walk. Every call here whose arguments are integers
 * and pointers only, at most six, goes through one signature instead: six 64-bit
 * integers in, one out, variadic from the third on ({@link #WORDS}). That is the register
 * convention itself on the 64-bit Linux ABIs the JDK supports (x86-64, AArch64,
 * RISC-V, POWER, s390x): an int or a pointer travels in a full integer register, named
 * or variadic alike; the callee reads the low half of an int and ignores the registers
 * it has no parameter for; an int result is the low half of the result register, so
 * the wrappers cast it back. Calling as variadic only adds what a variadic callee
 * (open, ioctl, fcntl: two named arguments, then one variadic) needs and any other
 * callee ignores: the vector register count in %al on x86-64 (FFM sets it for every
 * call there anyway), the parameter save area on POWER. The C signatures stay below,
 * checked against the bindings' and for fitting the shape by NativeTest.
 *
 * <p>A pointer goes as its address, so FFM no longer checks it: {@link #pointer} does
 * (a native segment, still alive), and the call's caller must keep it so during the
 * call, which holds for the memory of its own confined arena and for a mapping whose
 * owner does not unmap it during its own calls ({@link Mmap}). The data calls (read,
 * write, pread, pwrite, splice, vmsplice, syscall), whose buffers other threads' arenas
 * can own, keep their typed signatures: for them FFM keeps the buffer's arena open
 * until the call returns.
 */
final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE =
            STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static final int EINTR = errno_h.EINTR();

    // The C signatures, in the bindings' own C types. A descriptor is cheap; linking is
    // not (8-15 ms for each new signature, and jextract's accessors would link a plain
    // handle of their own first): each shape and each data call is linked on its first
    // call, in a holder class of its own, straight from the C library's symbol.
    // NativeTest checks every descriptor here against the bindings' own.
    static final FunctionDescriptor OPEN_DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
    static final FunctionDescriptor IOCTL_DESC = FunctionDescriptor.of(C_INT, C_INT, C_LONG, C_POINTER);
    static final FunctionDescriptor FD_DESC = FunctionDescriptor.of(C_INT, C_INT);
    static final FunctionDescriptor RW_DESC = FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG);
    static final FunctionDescriptor PRW_DESC = FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG, C_LONG);
    static final FunctionDescriptor FTRUNCATE_DESC = FunctionDescriptor.of(C_INT, C_INT, C_LONG);
    static final FunctionDescriptor FALLOCATE_DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT, C_LONG, C_LONG);
    static final FunctionDescriptor FADVISE_DESC = FunctionDescriptor.of(C_INT, C_INT, C_LONG, C_LONG, C_INT);
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

    /** The shape of every control call: six integer registers in, one out, variadic from the third. */
    static final FunctionDescriptor WORDS = FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    static final int WORDS_FIRST_VARIADIC = 2;
    /** The C signatures of the functions called through {@link #WORDS}: NativeTest checks that each fits. */
    static final List<FunctionDescriptor> WORD_CALLS = List.of(FD_DESC, FTRUNCATE_DESC, FALLOCATE_DESC, FADVISE_DESC,
            PIPE2_DESC, FSTAT_DESC, MMAP_DESC, MUNMAP_DESC, MADVISE_DESC, MINCORE_DESC);
    /** The variadic ones, each with {@link #WORDS_FIRST_VARIADIC} named arguments (NativeTest checks that too). */
    static final List<FunctionDescriptor> VARIADIC_WORD_CALLS = List.of(OPEN_DESC, IOCTL_DESC, FCNTL_INT_DESC);

    /** Linked once, without a target: each call passes the function's address. */
    private static final class WordCall {
        static final MethodHandle H = LINKER.downcallHandle(WORDS, Linker.Option.firstVariadicArg(WORDS_FIRST_VARIADIC),
                ERRNO);
    }

    /** The control calls' functions, looked up in the C library together (a lookup is a few microseconds). */
    private static final class Symbols {
        static final MemorySegment OPEN = address("open");
        static final MemorySegment IOCTL = address("ioctl");
        static final MemorySegment FCNTL = address("fcntl");
        static final MemorySegment CLOSE = address("close");
        static final MemorySegment FSYNC = address("fsync");
        static final MemorySegment FDATASYNC = address("fdatasync");
        static final MemorySegment FTRUNCATE = address("ftruncate");
        static final MemorySegment FALLOCATE = address("fallocate");
        static final MemorySegment POSIX_FADVISE = address("posix_fadvise");
        static final MemorySegment PIPE2 = address("pipe2");
        static final MemorySegment FSTAT = address("fstat");
        static final MemorySegment MMAP = address("mmap");
        static final MemorySegment MUNMAP = address("munmap");
        static final MemorySegment MADVISE = address("madvise");
        static final MemorySegment MINCORE = address("mincore");
    }

    private static final class ReadCall { static final MethodHandle H = link("read", RW_DESC); }
    private static final class WriteCall { static final MethodHandle H = link("write", RW_DESC); }
    private static final class PreadCall { static final MethodHandle H = link("pread", PRW_DESC); }
    private static final class PwriteCall { static final MethodHandle H = link("pwrite", PRW_DESC); }
    private static final class SpliceCall { static final MethodHandle H = link("splice", SPLICE_DESC); }
    private static final class VmspliceCall { static final MethodHandle H = link("vmsplice", VMSPLICE_DESC); }
    private static final class Syscall2Call { static final MethodHandle H = link("syscall", SYSCALL_2_DESC, 1); }
    private static final class Syscall6Call { static final MethodHandle H = link("syscall", SYSCALL_6_DESC, 1); }

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

    /** A control call: {@code function}'s arguments first, unused ones 0. */
    private static long words(MemorySegment function, MemorySegment state, long a, long b, long c, long d, long e,
                              long f) {
        try {
            return (long) WordCall.H.invokeExact(function, state, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The address of a pointer argument, checked as FFM checks an ADDRESS one: native
     * memory (a heap segment's address is an offset into an array that can move), alive.
     */
    static long pointer(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("a heap segment cannot be passed to native code: " + segment);
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("Already closed: " + segment);
        }
        return segment.address();
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
        return (int) words(Symbols.OPEN, state, pointer(path), flags, mode, 0, 0, 0);
    }

    static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        return (int) words(Symbols.IOCTL, state, fd, request, pointer(arg), 0, 0, 0);
    }

    static int close(MemorySegment state, int fd) {
        return (int) words(Symbols.CLOSE, state, fd, 0, 0, 0, 0, 0);
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
        return (int) words(Symbols.FSYNC, state, fd, 0, 0, 0, 0, 0);
    }

    static int fdatasync(MemorySegment state, int fd) {
        return (int) words(Symbols.FDATASYNC, state, fd, 0, 0, 0, 0, 0);
    }

    static int ftruncate(MemorySegment state, int fd, long length) {
        return (int) words(Symbols.FTRUNCATE, state, fd, length, 0, 0, 0, 0);
    }

    static int fallocate(MemorySegment state, int fd, int mode, long offset, long length) {
        return (int) words(Symbols.FALLOCATE, state, fd, mode, offset, length, 0, 0);
    }

    /** posix_fadvise(2): returns the error number itself (0 on success), errno is not set. */
    static int fadvise(MemorySegment state, int fd, long offset, long length, int advice) {
        return (int) words(Symbols.POSIX_FADVISE, state, fd, offset, length, advice, 0, 0);
    }

    static int pipe2(MemorySegment state, MemorySegment fds, int flags) {
        return (int) words(Symbols.PIPE2, state, pointer(fds), flags, 0, 0, 0, 0);
    }

    static int fstat(MemorySegment state, int fd, MemorySegment buf) {
        return (int) words(Symbols.FSTAT, state, fd, pointer(buf), 0, 0, 0, 0);
    }

    static MemorySegment mmap(MemorySegment state, long len, int prot, int flags, int fd, long offset) {
        return MemorySegment.ofAddress(words(Symbols.MMAP, state, 0, len, prot, flags, fd, offset));
    }

    static int munmap(MemorySegment state, MemorySegment addr, long len) {
        return (int) words(Symbols.MUNMAP, state, pointer(addr), len, 0, 0, 0, 0);
    }

    static int madvise(MemorySegment state, MemorySegment addr, long len, int advice) {
        return (int) words(Symbols.MADVISE, state, pointer(addr), len, advice, 0, 0, 0);
    }

    static int mincore(MemorySegment state, MemorySegment addr, long len, MemorySegment vec) {
        return (int) words(Symbols.MINCORE, state, pointer(addr), len, pointer(vec), 0, 0, 0);
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
        return (int) words(Symbols.FCNTL, state, fd, cmd, arg, 0, 0, 0);
    }
}
