package org.lvmsync.os;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.lang.foreign.Linker;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Predicate;

/**
 * Failure injection at the system-call boundary, for tests: the N-th call of one kind on
 * the descriptors a test watches fails with a chosen errno, or does only part of its work
 * (a short read or write), so every error path of the code above can be walked through.
 *
 * <p>Off unless the JVM was started with {@code -Dlvmsync.faults=true} (the test runner's
 * argument line sets it; the launcher never does). {@link #ENABLED} is a static final that
 * {@link Fd} tests before each call: the JIT folds the branch away when it is false, so a
 * production run pays nothing.
 *
 * <p>An injected errno is written into the call's errno capture segment and the call
 * returns -1 without reaching the kernel, exactly what a failing syscall looks like to the
 * code that checks it; EINTR is therefore retried like a real one. (A failed close still
 * releases the descriptor, as close(2) does on Linux.) One plan at a time,
 * process-wide; calls on descriptors outside its scope are neither counted nor touched.
 */
public final class Faults {
    /** Whether the hooks are compiled in for this JVM. */
    public static final boolean ENABLED = Boolean.getBoolean("lvmsync.faults");

    /** The calls that can be made to fail, each counted on its own. */
    public enum Call { OPEN, READ, WRITE, PREAD, PWRITE, FSYNC, FDATASYNC, FSTAT, IOCTL, CLOSE;

        /** Whether a short return means anything for this call (it moves bytes). */
        public boolean transfers() {
            return this == READ || this == WRITE || this == PREAD || this == PWRITE;
        }
    }

    /** What happens to the chosen call. */
    public sealed interface Fault {
        /** The call fails with this errno. */
        record Fail(int errno) implements Fault {
        }

        /** The call moves only part of the bytes asked for (half, kept 512-aligned when it can be). */
        record Short() implements Fault {
        }
    }

    /** In a holder of its own: a run without faults never builds it (cold start-up). */
    private static final class ErrnoSlot {
        static final VarHandle ERRNO = Linker.Option.captureStateLayout()
                .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    }

    private static volatile Plan plan;

    private Faults() {
    }

    /**
     * Counts calls on descriptors whose name (the path, or "pipe write end (fd N)" ...)
     * passes {@code scope}, and makes the {@code nth} call (from 1) of {@code call} suffer
     * {@code fault}; {@code nth} 0 only counts. Replaces any earlier plan.
     */
    public static Plan arm(Predicate<String> scope, Call call, long nth, Fault fault) {
        if (!ENABLED) {
            throw new IllegalStateException("fault injection is off: start the JVM with -Dlvmsync.faults=true");
        }
        Plan p = new Plan(scope, call, nth, fault);
        plan = p;
        return p;
    }

    /** Counts only. */
    public static Plan count(Predicate<String> scope) {
        return arm(scope, Call.OPEN, 0, null);
    }

    /** Stops injecting and counting. */
    public static void disarm() {
        plan = null;
    }

    /** One armed plan: its counts, and whether its fault fired. */
    public static final class Plan implements AutoCloseable {
        private final Predicate<String> scope;
        private final Call call;
        private final long nth;
        private final Fault fault;
        private final AtomicLongArray counts = new AtomicLongArray(Call.values().length);
        private volatile boolean fired;

        private Plan(Predicate<String> scope, Call call, long nth, Fault fault) {
            this.scope = scope;
            this.call = call;
            this.nth = nth;
            this.fault = fault;
        }

        /** Calls of each kind seen in scope so far. */
        public Map<Call, Long> counts() {
            Map<Call, Long> out = new EnumMap<>(Call.class);
            for (Call c : Call.values()) {
                out.put(c, counts.get(c.ordinal()));
            }
            return out;
        }

        public boolean fired() {
            return fired;
        }

        /** The fault for this call, or null to let it through. */
        private Fault next(Call c, String name) {
            if (name == null || !scope.test(name)) {
                return null;
            }
            long n = counts.incrementAndGet(c.ordinal());
            if (c != call || n != nth) {
                return null;
            }
            fired = true;
            return fault;
        }

        @Override
        public void close() {
            if (plan == this) {
                plan = null;
            }
        }
    }

    /** The plan's fault for this call; null (the usual case) to make the call as asked. */
    private static Fault fault(Call call, String name) {
        Plan p = plan;
        return p == null ? null : p.next(call, name);
    }

    /** Fails the call: errno in the capture segment, -1 returned. */
    private static int fail(MemorySegment errnoState, Fault.Fail f) {
        ErrnoSlot.ERRNO.set(errnoState, 0L, f.errno());
        return -1;
    }

    /** How many bytes a short call moves: about half, 512-aligned when that leaves some. */
    static long shortened(long length) {
        long half = length / 2;
        long aligned = half & ~511L;
        return aligned > 0 ? aligned : Math.max(1, half);
    }

    static int open(MemorySegment errno, MemorySegment path, int flags, int mode, String name) {
        if (fault(Call.OPEN, name) instanceof Fault.Fail f) {
            return fail(errno, f);
        }
        return Native.open(errno, path, flags, mode);
    }

    static long read(MemorySegment errno, int fd, MemorySegment buf, long len, String name) {
        return switch (fault(Call.READ, name)) {
            case Fault.Fail f -> fail(errno, f);
            case Fault.Short s -> Native.read(errno, fd, buf, shortened(len));
            case null -> Native.read(errno, fd, buf, len);
        };
    }

    static long write(MemorySegment errno, int fd, MemorySegment buf, long len, String name) {
        return switch (fault(Call.WRITE, name)) {
            case Fault.Fail f -> fail(errno, f);
            case Fault.Short s -> Native.write(errno, fd, buf, shortened(len));
            case null -> Native.write(errno, fd, buf, len);
        };
    }

    static long pread(MemorySegment errno, int fd, MemorySegment buf, long len, long offset, String name) {
        return switch (fault(Call.PREAD, name)) {
            case Fault.Fail f -> fail(errno, f);
            case Fault.Short s -> Native.pread(errno, fd, buf, shortened(len), offset);
            case null -> Native.pread(errno, fd, buf, len, offset);
        };
    }

    static long pwrite(MemorySegment errno, int fd, MemorySegment buf, long len, long offset, String name) {
        return switch (fault(Call.PWRITE, name)) {
            case Fault.Fail f -> fail(errno, f);
            case Fault.Short s -> Native.pwrite(errno, fd, buf, shortened(len), offset);
            case null -> Native.pwrite(errno, fd, buf, len, offset);
        };
    }

    /**
     * The result of a read the kernel did asynchronously (an io_uring completion, bytes or
     * -errno), counted and altered as the same pread would be: engines that bypass
     * {@link Fd} for their reads pass each completion through here. Such reads are
     * O_DIRECT, where the kernel cuts a read short only at a 512-byte boundary (or at the
     * end of the file): a shortened completion keeps to that, or is left whole.
     */
    public static int completion(Call call, String name, int result) {
        return switch (fault(call, name)) {
            case Fault.Fail f -> -f.errno();
            case Fault.Short s -> result > 0 && (shortened(result) & 511) == 0 ? (int) shortened(result) : result;
            case null -> result;
        };
    }

    static int fsync(MemorySegment errno, int fd, String name) {
        if (fault(Call.FSYNC, name) instanceof Fault.Fail f) {
            return fail(errno, f);
        }
        return Native.fsync(errno, fd);
    }

    static int fdatasync(MemorySegment errno, int fd, String name) {
        if (fault(Call.FDATASYNC, name) instanceof Fault.Fail f) {
            return fail(errno, f);
        }
        return Native.fdatasync(errno, fd);
    }

    static int fstat(MemorySegment errno, int fd, MemorySegment buf, String name) {
        if (fault(Call.FSTAT, name) instanceof Fault.Fail f) {
            return fail(errno, f);
        }
        return Native.fstat(errno, fd, buf);
    }

    /**
     * A failed close(2) still releases the descriptor on Linux (the errno reports, say, a
     * writeback error): the descriptor is closed here and the failure reported.
     */
    static int close(MemorySegment errno, int fd, String name) {
        if (fault(Call.CLOSE, name) instanceof Fault.Fail f) {
            Native.close(errno, fd);
            return fail(errno, f);
        }
        return Native.close(errno, fd);
    }

    static int ioctl(MemorySegment errno, int fd, long request, MemorySegment arg, String name) {
        if (fault(Call.IOCTL, name) instanceof Fault.Fail f) {
            return fail(errno, f);
        }
        return Native.ioctl(errno, fd, request, arg);
    }
}
