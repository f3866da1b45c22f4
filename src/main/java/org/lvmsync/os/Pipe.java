package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.lvmsync.bindings.libc.fcntl_h;
import org.lvmsync.bindings.libc.ioctl_h;

/**
 * An anonymous pipe from pipe2(2) with O_CLOEXEC, so neither end leaks into a child
 * process unless it is handed over on purpose (as a redirect). The Pipe owns both ends;
 * {@link #close()} closes whichever is still open. An end may be closed early, and
 * should be once another process holds it: a writer only sees EPIPE when the last read
 * end anywhere is gone, so a read end kept open here would turn a reader that died into
 * a writer blocked forever.
 *
 * <p>The capacity calls ({@link #capacity()}, {@link #resize(int)}, {@link #unread()})
 * act on the pipe itself, through whichever end is still open.
 */
public final class Pipe implements AutoCloseable {
    private static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;

    private final Fd readEnd;
    private final Fd writeEnd;

    private Pipe(Fd readEnd, Fd writeEnd) {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
    }

    public static Pipe open() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            MemorySegment fds = arena.allocate(C_INT, 2);
            if (Native.pipe2(errno, fds, fcntl_h.O_CLOEXEC()) != 0) {
                throw new ErrnoException("pipe2", "a new pipe", Native.errno(errno));
            }
            int r = fds.getAtIndex(C_INT, 0);
            int w = fds.getAtIndex(C_INT, 1);
            return new Pipe(Fd.adopt(r, "pipe read end (fd " + r + ")"),
                    Fd.adopt(w, "pipe write end (fd " + w + ")"));
        }
    }

    public Fd readEnd() {
        return readEnd;
    }

    public Fd writeEnd() {
        return writeEnd;
    }

    /**
     * The path under /proc/self/fd that opens this pipe's read end again. Opening it in
     * this process (which ProcessBuilder does for a redirect, before it forks) gives a
     * new descriptor of the same pipe, without ever clearing O_CLOEXEC on ours.
     */
    public String readEndProcPath() {
        return "/proc/self/fd/" + readEnd.raw();
    }

    /** F_GETPIPE_SZ: how many bytes the pipe holds before a writer blocks. */
    public int capacity() throws ErrnoException {
        return fcntl("F_GETPIPE_SZ", fcntl_h.F_GETPIPE_SZ(), 0);
    }

    /**
     * F_SETPIPE_SZ: asks for a capacity of at least {@code bytes} (the kernel rounds up to
     * a power-of-two number of pages) and returns the capacity set. Without CAP_SYS_RESOURCE
     * the limit is /proc/sys/fs/pipe-max-size (EPERM beyond it); EBUSY if the pipe holds
     * more than fits.
     */
    public int resize(int bytes) throws ErrnoException {
        return fcntl("F_SETPIPE_SZ", fcntl_h.F_SETPIPE_SZ(), bytes);
    }

    /** FIONREAD: bytes written into the pipe and not yet taken out by a reader. */
    public int unread() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            liveEnd().ioctl("FIONREAD", ioctl_h.FIONREAD(), out);
            return out.get(C_INT, 0);
        }
    }

    private int fcntl(String what, int cmd, int arg) throws ErrnoException {
        Fd end = liveEnd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            while (true) {
                int result = Native.fcntl(errno, end.raw(), cmd, arg);
                if (result >= 0) {
                    return result;
                }
                Fd.retryOrThrow(errno, "fcntl " + what, end.name());
            }
        }
    }

    private Fd liveEnd() {
        return writeEnd.isOpen() ? writeEnd : readEnd;
    }

    /** Closes both ends (each at most once). */
    @Override
    public void close() throws ErrnoException {
        try {
            writeEnd.close();
        } finally {
            readEnd.close();
        }
    }

    @Override
    public String toString() {
        return "Pipe[" + readEnd + ", " + writeEnd + "]";
    }
}
