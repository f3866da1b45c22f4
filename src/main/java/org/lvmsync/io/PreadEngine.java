package org.lvmsync.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Iterator;
import org.lvmsync.Log;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;

/**
 * The simplest engine: one pread(2) at a time, on a descriptor that bypasses the page
 * cache (O_DIRECT), so reading gigabytes of an origin does not evict the working set of
 * every other program on the host, and metadata the kernel wrote below the page cache
 * (COW areas) is seen as it is on disk.
 *
 * <p>Where O_DIRECT is refused (some filesystems), it falls back to buffered reads, says
 * so under -v, first drops this one device's cached pages (BLKFLSBUF; fadvise for a
 * file) so what is read is current, and drops what it read afterwards. Never the global
 * drop_caches.
 */
public final class PreadEngine implements IoEngine {
    private final Fd fd;
    private final boolean direct;
    private final long size;

    private PreadEngine(Fd fd, boolean direct, long size) {
        this.fd = fd;
        this.direct = direct;
        this.size = size;
    }

    public static PreadEngine open(Path path) throws IOException {
        return open(path, true);
    }

    /** {@code tryDirect} false forces the buffered fallback (for tests). */
    public static PreadEngine open(Path path, boolean tryDirect) throws IOException {
        Fd fd = null;
        boolean direct = tryDirect;
        if (tryDirect) {
            try {
                fd = Fd.open(path, Fd.O_RDONLY | Fd.O_DIRECT);
            } catch (ErrnoException directRefused) {
                // EINVAL: the filesystem has no O_DIRECT. Anything else (ENOENT, EACCES)
                // fails again below with its own message.
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
            return new PreadEngine(fd, direct, fd.size());
        } catch (IOException | RuntimeException e) {
            try {
                fd.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public String name() {
        return fd.name();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isDirect() {
        return direct;
    }

    @Override
    public int queueDepth() {
        return 1;
    }

    @Override
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

    /** One buffer, one read at a time: read, hand over, read the next. */
    @Override
    public void readMany(Iterator<Read> reads, long maxLength, ReadHandler handler) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = AlignedBuffer.allocate(arena, maxLength);
            while (reads.hasNext()) {
                Read r = reads.next();
                if (r.length() > buffer.byteSize()) {
                    throw new IllegalArgumentException("read of " + r.length() + " bytes exceeds the plan's maximum "
                            + maxLength);
                }
                long got = read(buffer.asSlice(0, r.length()), r.offset());
                if (!handler.completed(r, buffer.asSlice(0, got))) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        fd.close();
    }
}
