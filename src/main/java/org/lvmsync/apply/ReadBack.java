package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;

/**
 * Reads a destination back past the page cache, for verification: O_DIRECT (so what is
 * compared is what the device returns, not what a writer left in memory), through one
 * aligned window of {@link #WINDOW} bytes that serves neighbouring ranges with one read. A
 * file on a filesystem without O_DIRECT (tmpfs) is read through the cache after its pages
 * were dropped. Opened read-only and never exclusively: checking a mounted device is fine.
 */
final class ReadBack implements AutoCloseable {
    static final long WINDOW = 4L << 20;

    private final Fd fd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment window = AlignedBuffer.allocate(arena, WINDOW + 2 * AlignedBuffer.ALIGNMENT);
    private long windowStart = -1;
    private long windowEnd = -1;

    private ReadBack(Fd fd) {
        this.fd = fd;
    }

    static ReadBack open(Path path) throws IOException {
        try {
            return new ReadBack(Fd.open(path, Fd.O_RDONLY | Fd.O_DIRECT));
        } catch (ErrnoException e) {
            if (e.errno() != errno_h.EINVAL()) {
                throw e;
            }
        }
        Fd fd = Fd.open(path, Fd.O_RDONLY);
        try {
            fd.fadviseDontNeed(0, 0);
        } catch (IOException e) {
            fd.close();
            throw e;
        }
        return new ReadBack(fd);
    }

    /**
     * The bytes at {@code [offset, offset + length)}, {@code length <= WINDOW}: a slice of
     * the window, valid until the next call; shorter where the file or device ends.
     */
    MemorySegment read(long offset, long length) throws IOException {
        if (length > WINDOW) {
            throw new IllegalArgumentException("read-back of " + length + " bytes");
        }
        long end = offset + length;
        if (offset < windowStart || end > windowEnd) {
            windowStart = AlignedBuffer.alignDown(offset);
            long want = AlignedBuffer.alignUp(end) - windowStart;
            long done = 0;
            while (done < want) {
                int n = fd.pread(window.asSlice(done, want - done), windowStart + done);
                if (n == 0) {
                    break;
                }
                done += n;
            }
            windowEnd = windowStart + done;
        }
        long available = Math.max(0, Math.min(end, windowEnd) - offset);
        return window.asSlice(offset - windowStart, available);
    }

    @Override
    public void close() throws IOException {
        try {
            fd.close();
        } finally {
            arena.close();
        }
    }
}
