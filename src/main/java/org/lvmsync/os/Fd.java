package org.lvmsync.os;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import org.lvmsync.bindings.libc.fcntl_h;
import org.lvmsync.bindings.libc.stat;
import org.lvmsync.bindings.libc.stat_h;
import org.lvmsync.bindings.libc.unistd_h;

/**
 * One open file descriptor with a single owner. Every call checks its result and turns a
 * failure into an {@link ErrnoException} naming the call and the path; EINTR is retried.
 * Segments handed to read/write must be native (the kernel reads them in place); O_DIRECT
 * additionally needs them aligned (see {@link AlignedBuffer}).
 * <p>
 * Not thread-safe as to close(): one owner closes. Positional calls (pread/pwrite) from
 * several threads on one open Fd are fine, as the kernel allows.
 */
public final class Fd implements AutoCloseable {
    public static final int O_RDONLY = fcntl_h.O_RDONLY();
    public static final int O_WRONLY = fcntl_h.O_WRONLY();
    public static final int O_RDWR = fcntl_h.O_RDWR();
    public static final int O_CREAT = fcntl_h.O_CREAT();
    public static final int O_EXCL = fcntl_h.O_EXCL();
    public static final int O_TRUNC = fcntl_h.O_TRUNC();
    public static final int O_DIRECT = fcntl_h.O_DIRECT();

    private static final int O_CLOEXEC = fcntl_h.O_CLOEXEC();
    private static final int S_IFMT = stat_h.S_IFMT();
    /** The size every Linux block device accepts; used for files, where no ioctl answers. */
    private static final int FILE_BLOCK_SIZE = 512;

    private volatile int fd;
    /** Written since the last successful fsync/fdatasync: only then can a failed close mean lost data. */
    private volatile boolean unsynced;
    private final Path path;
    private final String name;
    private final boolean owned;

    private Fd(int fd, Path path, String name, boolean owned) {
        this.fd = fd;
        this.path = path;
        this.name = name;
        this.owned = owned;
    }

    /** Opens with mode 0644 when O_CREAT creates the file. */
    public static Fd open(Path path, int flags) throws ErrnoException {
        return open(path, flags, 0644);
    }

    public static Fd open(Path path, int flags, int mode) throws ErrnoException {
        String name = path.toString();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            MemorySegment cPath = arena.allocateFrom(name);
            while (true) {
                int fd = Faults.ENABLED ? Faults.open(errno, cPath, flags | O_CLOEXEC, mode, name)
                        : Native.open(errno, cPath, flags | O_CLOEXEC, mode);
                if (fd >= 0) {
                    return new Fd(fd, path, name, true);
                }
                retryOrThrow(errno, "open", name);
            }
        }
    }

    public static Fd stdin() {
        return new Fd(0, null, "<stdin>", false);
    }

    public static Fd stdout() {
        return new Fd(1, null, "<stdout>", false);
    }

    public static Fd stderr() {
        return new Fd(2, null, "<stderr>", false);
    }

    /** Takes ownership of a raw descriptor (from a pipe, a child process, ...). */
    public static Fd adopt(int fd, String name) {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid file descriptor " + fd + " for " + name);
        }
        return new Fd(fd, null, name, true);
    }

    public int raw() {
        return live();
    }

    /** The path this Fd was opened from; null for stdin, stdout and adopted descriptors. */
    public Path path() {
        return path;
    }

    public String name() {
        return name;
    }

    /** isatty(3): whether this descriptor is a terminal (decides about in-place progress lines). */
    public boolean isTerminal() {
        return unistd_h.isatty(live()) == 1;
    }

    /**
     * The same open file under the name it has now (after link(2) or rename(2) moved it):
     * the descriptor passes to the returned Fd, and this one counts as closed without
     * closing it. Messages and fault scopes then name the file as the user knows it.
     */
    public Fd renamed(Path newPath) {
        int raw = live();
        Fd moved = new Fd(raw, newPath, newPath.toString(), owned);
        moved.unsynced = unsynced;
        this.fd = -1;
        return moved;
    }

    /** False once {@link #close()} was called. */
    public boolean isOpen() {
        return fd >= 0;
    }

    /** One read(2): the number of bytes read, 0 at end of file. */
    public int read(MemorySegment dst) throws ErrnoException {
        int fd = live();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            while (true) {
                long n = Faults.ENABLED ? Faults.read(errno, fd, dst, dst.byteSize(), name)
                        : Native.read(errno, fd, dst, dst.byteSize());
                if (n >= 0) {
                    return (int) n;
                }
                retryOrThrow(errno, "read", name);
            }
        }
    }

    /** Writes all of {@code src}, looping over short writes. */
    public void write(MemorySegment src) throws ErrnoException {
        int fd = live();
        // a pipe or terminal holds nothing a sync could lose; a file opened by path does
        unsynced |= path != null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            long done = 0;
            while (done < src.byteSize()) {
                MemorySegment rest = src.asSlice(done);
                long n = Faults.ENABLED ? Faults.write(errno, fd, rest, rest.byteSize(), name)
                        : Native.write(errno, fd, rest, rest.byteSize());
                if (n >= 0) {
                    done += n;
                } else {
                    retryOrThrow(errno, "write", name);
                }
            }
        }
    }

    /** One pread(2) at {@code offset}: the number of bytes read, 0 at end of file. */
    public int pread(MemorySegment dst, long offset) throws ErrnoException {
        int fd = live();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            while (true) {
                long n = Faults.ENABLED ? Faults.pread(errno, fd, dst, dst.byteSize(), offset, name)
                        : Native.pread(errno, fd, dst, dst.byteSize(), offset);
                if (n >= 0) {
                    return (int) n;
                }
                retryOrThrow(errno, "pread", name);
            }
        }
    }

    /** Fills {@code dst} from {@code offset}; a file that ends first is an EOFException. */
    public void preadFully(MemorySegment dst, long offset) throws IOException {
        long done = 0;
        while (done < dst.byteSize()) {
            int n = pread(dst.asSlice(done), offset + done);
            if (n == 0) {
                throw new EOFException("pread " + name + ": end of file at offset " + (offset + done)
                        + " while reading " + dst.byteSize() + " bytes from offset " + offset);
            }
            done += n;
        }
    }

    public void pwriteFully(MemorySegment src, long offset) throws ErrnoException {
        int fd = live();
        unsynced = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            long done = 0;
            while (done < src.byteSize()) {
                MemorySegment rest = src.asSlice(done);
                long n = Faults.ENABLED ? Faults.pwrite(errno, fd, rest, rest.byteSize(), offset + done, name)
                        : Native.pwrite(errno, fd, rest, rest.byteSize(), offset + done);
                if (n > 0) {
                    done += n;
                } else if (n == 0) {
                    // pwrite(2) returning 0 for a non-empty buffer means the device is full
                    throw new ErrnoException("pwrite", name + " at offset " + (offset + done),
                            org.lvmsync.bindings.libc.errno_h.ENOSPC());
                } else {
                    retryOrThrow(errno, "pwrite", name);
                }
            }
        }
    }

    public void fsync() throws ErrnoException {
        int fd = live();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            while ((Faults.ENABLED ? Faults.fsync(errno, fd, name) : Native.fsync(errno, fd)) != 0) {
                retryOrThrow(errno, "fsync", name);
            }
            unsynced = false;
        }
    }

    public void fdatasync() throws ErrnoException {
        int fd = live();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            while ((Faults.ENABLED ? Faults.fdatasync(errno, fd, name) : Native.fdatasync(errno, fd)) != 0) {
                retryOrThrow(errno, "fdatasync", name);
            }
            unsynced = false;
        }
    }

    /** ftruncate(2): the file ends at {@code length} (bytes after it are dropped, a hole before it reads as zeros). */
    public void truncate(long length) throws ErrnoException {
        int fd = live();
        unsynced = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            while (Native.ftruncate(errno, fd, length) != 0) {
                retryOrThrow(errno, "ftruncate", name);
            }
        }
    }

    public FileStat stat() throws ErrnoException {
        int fd = live();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            MemorySegment st = stat.allocate(arena);
            while ((Faults.ENABLED ? Faults.fstat(errno, fd, st, name) : Native.fstat(errno, fd, st)) != 0) {
                retryOrThrow(errno, "fstat", name);
            }
            int type = stat.st_mode(st) & S_IFMT;
            long rdev = stat.st_rdev(st);
            long dev = stat.st_dev(st);
            return new FileStat(type == stat_h.S_IFBLK(), type == stat_h.S_IFREG(), stat.st_size(st),
                    FileStat.major(rdev), FileStat.minor(rdev), FileStat.major(dev), FileStat.minor(dev));
        }
    }

    /** Capacity in bytes: BLKGETSIZE64 for block devices, st_size for everything else. */
    public long size() throws ErrnoException {
        FileStat st = stat();
        if (!st.isBlockDevice()) {
            return st.size();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            ioctl("BLKGETSIZE64", BlockIoctls.BLKGETSIZE64, out);
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** BLKSSZGET: the smallest unit the device addresses; 512 for files. */
    public int logicalBlockSize() throws ErrnoException {
        return blockSizeIoctl("BLKSSZGET", BlockIoctls.BLKSSZGET);
    }

    /** BLKPBSZGET: the unit the device writes atomically; 512 for files. */
    public int physicalBlockSize() throws ErrnoException {
        return blockSizeIoctl("BLKPBSZGET", BlockIoctls.BLKPBSZGET);
    }

    private int blockSizeIoctl(String what, long request) throws ErrnoException {
        if (!stat().isBlockDevice()) {
            return FILE_BLOCK_SIZE;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            ioctl(what, request, out);
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * Writes back and drops the cached pages of this one device (BLKFLSBUF), so the next
     * read sees what the kernel wrote underneath the page cache. For a regular file (a test
     * stand-in for a device) the same effect comes from fdatasync + fadvise(DONTNEED).
     */
    public void flushBlockBuffers() throws ErrnoException {
        if (stat().isBlockDevice()) {
            ioctl("BLKFLSBUF", BlockIoctls.BLKFLSBUF, MemorySegment.NULL);
        } else {
            fdatasync();
            fadviseDontNeed(0, 0);
        }
    }

    /** posix_fadvise(DONTNEED); length 0 means "to the end of the file". */
    public void fadviseDontNeed(long offset, long length) throws ErrnoException {
        int result;
        try (Arena arena = Arena.ofConfined()) {
            result = Native.fadvise(Native.errnoState(arena), live(), offset, length, fcntl_h.POSIX_FADV_DONTNEED());
        }
        if (result != 0) {
            // posix_fadvise returns the error number instead of setting errno
            throw new ErrnoException("posix_fadvise", name, result);
        }
    }

    /** BLKDISCARD of {@code [offset, offset+length)}; both must be logical-block aligned. */
    public void discard(long offset, long length) throws ErrnoException {
        rangeIoctl("BLKDISCARD", BlockIoctls.BLKDISCARD, offset, length);
    }

    /** BLKZEROOUT of {@code [offset, offset+length)}: zeros that read back as zeros. */
    public void zeroOut(long offset, long length) throws ErrnoException {
        rangeIoctl("BLKZEROOUT", BlockIoctls.BLKZEROOUT, offset, length);
    }

    private void rangeIoctl(String what, long request, long offset, long length) throws ErrnoException {
        unsynced = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment range = arena.allocate(ValueLayout.JAVA_LONG, 2);
            range.setAtIndex(ValueLayout.JAVA_LONG, 0, offset);
            range.setAtIndex(ValueLayout.JAVA_LONG, 1, length);
            ioctl(what, request, range);
        }
    }

    /** fallocate(2) mode: deallocate the range (it reads back as zeros); the size stays. */
    public static final int PUNCH_HOLE = fcntl_h.FALLOC_FL_PUNCH_HOLE() | fcntl_h.FALLOC_FL_KEEP_SIZE();

    /**
     * fallocate(2) of {@code [offset, offset+length)} with {@code mode} (e.g. {@link #PUNCH_HOLE}).
     * On a block device the kernel turns a punched hole into a write-zeroes request that may
     * deallocate (and fails with EOPNOTSUPP where the device cannot zero that way).
     */
    public void fallocate(int mode, long offset, long length) throws ErrnoException {
        int fd = live();
        unsynced = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            while ((Faults.ENABLED ? Faults.fallocate(errno, fd, mode, offset, length, name)
                    : Native.fallocate(errno, fd, mode, offset, length)) != 0) {
                retryOrThrow(errno, "fallocate", name);
            }
        }
    }

    /**
     * ioctl(2) with a pointer argument (or NULL); {@code what} names the request in the
     * error message. Returns the ioctl's non-negative result.
     * <p>
     * The kernel reads and writes the argument in place, as many bytes as the request's
     * size field says ({@code _IOR/_IOW/_IOWR}; 8 for BLKGETSIZE64, 312 for a DM ioctl's
     * header), so {@code arg} must be native and at least that long. Requests made with
     * plain {@code _IO} carry no size (BLKSSZGET writes an int): their callers allocate
     * what the request's documentation says, and a DM ioctl's further data is checked by
     * its caller against the header's data_size.
     */
    public int ioctl(String what, long request, MemorySegment arg) throws ErrnoException {
        long size = IoctlNumber.size(request);
        if (!arg.equals(MemorySegment.NULL) && (!arg.isNative() || arg.byteSize() < size)) {
            throw new IllegalArgumentException(what + " on " + name + " needs a native argument of at least "
                    + size + " bytes, not " + arg);
        }
        int fd = live();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            while (true) {
                int result = Faults.ENABLED ? Faults.ioctl(errno, fd, request, arg, name)
                        : Native.ioctl(errno, fd, request, arg);
                if (result >= 0) {
                    return result;
                }
                retryOrThrow(errno, what, name);
            }
        }
    }

    /**
     * Closes once; later calls do nothing. EINTR is not retried: on Linux the descriptor is
     * already released then, and retrying could close a descriptor another thread just got.
     * A failure (EIO from a network filesystem's writeback, say) is reported only if this
     * descriptor wrote since its last successful sync: otherwise nothing written through it
     * can be lost (the sync already reported any writeback error), and the descriptor is
     * released either way, so the run's outcome does not change.
     */
    @Override
    public void close() throws ErrnoException {
        int fd = this.fd;
        if (fd < 0) {
            return;
        }
        this.fd = -1;
        if (!owned) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            int result = Faults.ENABLED ? Faults.close(errno, fd, name) : Native.close(errno, fd);
            if (result != 0 && Native.errno(errno) != Native.EINTR && unsynced) {
                throw new ErrnoException("close", name, Native.errno(errno));
            }
        }
    }

    @Override
    public String toString() {
        return "Fd[" + fd + " " + name + "]";
    }

    private int live() {
        int fd = this.fd;
        if (fd < 0) {
            throw new IllegalStateException(name + " is already closed");
        }
        return fd;
    }

    /** Returns if the failed call should be retried (EINTR), else throws. */
    static void retryOrThrow(MemorySegment errnoState, String operation, String path) throws ErrnoException {
        int errno = Native.errno(errnoState);
        if (errno != Native.EINTR) {
            throw new ErrnoException(operation, path, errno);
        }
    }
}
