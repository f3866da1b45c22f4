package org.lvmsync.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.lvmsync.Log;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FileStat;
import org.lvmsync.os.SysBlock;

/**
 * A device opened for reading the way every engine wants it: with O_DIRECT, so reading
 * gigabytes of an origin does not evict the working set of every other program on the
 * host and metadata the kernel wrote below the page cache (COW areas) is seen as it is
 * on disk.
 *
 * <p>Where O_DIRECT is refused (some filesystems), it falls back to buffered reads, says
 * so under -v, first drops this one device's cached pages (BLKFLSBUF; fadvise for a
 * file) so what is read is current, and the engines drop what they read afterwards
 * ({@link #dropCached}). Never the global drop_caches.
 */
final class DeviceFile implements AutoCloseable {
    private final Fd fd;
    private final boolean direct;
    /** Reads are cut here; {@link #grow()} moves it when the device grew. */
    private volatile long size;

    private DeviceFile(Fd fd, boolean direct, long size) {
        this.fd = fd;
        this.direct = direct;
        this.size = size;
    }

    Fd fd() {
        return fd;
    }

    /** See {@link IoEngine#rotational()}: the queue's {@code rotational} in sysfs, for a block device. */
    boolean rotational() throws IOException {
        FileStat st = fd.stat();
        return st.isBlockDevice() && SysBlock.of(st.rdevMajor(), st.rdevMinor()).queue("rotational").orElse(0) == 1;
    }

    boolean direct() {
        return direct;
    }

    long size() {
        return size;
    }

    /** Asks the device for its size again; true if it grew (reads reach the new end from now on). */
    boolean grow() throws ErrnoException {
        long now = fd.size();
        if (now <= size) {
            return false;
        }
        if (!direct) {
            fd.flushBlockBuffers(); // what is cached of the old end may be stale
        }
        size = now;
        return true;
    }

    /** {@code tryDirect} false forces the buffered fallback (for tests). */
    static DeviceFile open(Path path, boolean tryDirect) throws IOException {
        Fd fd = null;
        boolean direct = tryDirect;
        if (tryDirect) {
            try {
                fd = Fd.open(path, Fd.O_RDONLY | Fd.O_DIRECT);
            } catch (ErrnoException directRefused) {
                // EINVAL is a filesystem without O_DIRECT; anything else (EIO, ENOENT,
                // EACCES) is the device's own failure and ends the run with its message
                if (directRefused.errno() != errno_h.EINVAL()) {
                    throw directRefused;
                }
                direct = false;
                Log.verbose(path + ": O_DIRECT refused (" + directRefused.getMessage()
                        + "); reading through the page cache of this device only, dropping it before and after");
            }
        }
        if (fd == null) {
            fd = Fd.open(path, Fd.O_RDONLY);
        }
        try {
            if (!direct) {
                fd.flushBlockBuffers();
            }
            return new DeviceFile(fd, direct, fd.size());
        } catch (IOException | RuntimeException e) {
            try {
                fd.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    String name() {
        return fd.name();
    }

    /**
     * Fills {@code dst} from {@code offset} as far as the device reaches (pread, looping
     * over short reads); returns the bytes read. Safe from several threads at once.
     */
    long readAt(MemorySegment dst, long offset) throws ErrnoException {
        assert !direct || AlignedBuffer.isAligned(dst) && AlignedBuffer.isAligned(offset)
                : "unaligned O_DIRECT read of " + dst.byteSize() + " bytes at " + offset;
        long done = 0;
        long wanted = dst.byteSize();
        // the whole (aligned) rest is asked for each time: the kernel stops at the end
        while (done < wanted && offset + done < size) {
            int n = fd.pread(dst.asSlice(done), offset + done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** After a buffered read: drop the pages it pulled into the cache. */
    void dropCached(long offset, long length) throws ErrnoException {
        if (!direct && length > 0) {
            fd.fadviseDontNeed(offset, length);
        }
    }

    /**
     * The bytes a read of {@code length} at {@code offset} can return: cut at the end of
     * the device and, for O_DIRECT, rounded up to the alignment (the kernel returns the
     * short tail of a device whose size is not a multiple of it).
     */
    long clip(long offset, long length) {
        long left = Math.max(0, size - offset);
        return Math.min(length, direct ? AlignedBuffer.alignUp(left) : left);
    }

    @Override
    public void close() throws ErrnoException {
        fd.close();
    }
}
