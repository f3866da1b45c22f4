package org.lvmsync.sync;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.lvmsync.Log;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;

/**
 * Read-only access to a device (or an image file standing in for one) that bypasses the
 * page cache: O_DIRECT, so reading gigabytes of an origin does not evict the working set
 * of every other program on the host, and so metadata the kernel wrote below the page
 * cache (COW areas) is seen as it is on disk.
 *
 * <p>Where O_DIRECT is refused (some filesystems), it falls back to buffered reads, says
 * so under -v, first drops this one device's cached pages (BLKFLSBUF; fadvise for a
 * file) so what is read is current, and drops what it read afterwards. Never the global
 * drop_caches.
 *
 * <p>Callers pass 4096-aligned native buffers, offsets and lengths, see {@link AlignedBuffer}.
 */
public final class DirectReader implements AutoCloseable {
    private final Fd fd;
    private final boolean direct;
    private final long size;

    private DirectReader(Fd fd, boolean direct, long size) {
        this.fd = fd;
        this.direct = direct;
        this.size = size;
    }

    public static DirectReader open(Path path) throws IOException {
        Fd fd;
        boolean direct = true;
        try {
            fd = Fd.open(path, Fd.O_RDONLY | Fd.O_DIRECT);
        } catch (ErrnoException directRefused) {
            // EINVAL: the filesystem has no O_DIRECT. Anything else (ENOENT, EACCES) fails
            // again below with its own message.
            fd = Fd.open(path, Fd.O_RDONLY);
            direct = false;
            Log.verbose(path + ": O_DIRECT refused (" + directRefused.getMessage()
                    + "); reading through the page cache of this device only, dropping it before and after");
        }
        try {
            if (!direct) {
                fd.flushBlockBuffers();
            }
            return new DirectReader(fd, direct, fd.size());
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    public String name() {
        return fd.name();
    }

    public long size() {
        return size;
    }

    /** False when the filesystem refused O_DIRECT and reads go through the page cache. */
    public boolean isDirect() {
        return direct;
    }

    /**
     * Fills {@code dst} from {@code offset} as far as the device reaches; returns the bytes
     * read, fewer than asked only where the device ends.
     */
    public long read(MemorySegment dst, long offset) throws IOException {
        assert !direct || AlignedBuffer.isAligned(dst) && AlignedBuffer.isAligned(offset)
                : "unaligned O_DIRECT read of " + dst.byteSize() + " bytes at " + offset;
        long done = 0;
        long wanted = dst.byteSize();
        while (done < wanted && offset + done < size) {
            int n = fd.pread(dst.asSlice(done), offset + done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        if (!direct && done > 0) {
            fd.fadviseDontNeed(offset, done);
        }
        return done;
    }

    /** Like {@link #read} but the whole of {@code dst} must be there. */
    public void readFully(MemorySegment dst, long offset) throws IOException {
        long n = read(dst, offset);
        if (n < dst.byteSize()) {
            throw new EOFException(name() + ": the device ends at byte " + (offset + n) + " (size " + size
                    + "), but " + dst.byteSize() + " bytes from byte " + offset + " were needed");
        }
    }

    @Override
    public void close() throws IOException {
        fd.close();
    }
}
