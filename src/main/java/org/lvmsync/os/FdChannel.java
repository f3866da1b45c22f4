package org.lvmsync.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;

/**
 * A ByteChannel over an Fd, for code written against java.nio channels (stream encoders,
 * transports). Direct buffers go to read(2)/write(2) in place; heap buffers are staged
 * through a native bounce buffer, because the kernel cannot address the Java heap.
 * Closing the channel closes the Fd (a no-op for stdin/stdout).
 */
public final class FdChannel implements ByteChannel {
    private static final int BOUNCE = 64 * 1024;

    private final Fd fd;
    private boolean open = true;

    public FdChannel(Fd fd) {
        this.fd = fd;
    }

    public Fd fd() {
        return fd;
    }

    /** Bytes read, -1 at end of file (0 only when {@code dst} has no room). */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n;
        if (dst.isDirect()) {
            n = fd.read(MemorySegment.ofBuffer(dst));
        } else {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment bounce = arena.allocate(Math.min(dst.remaining(), BOUNCE));
                n = fd.read(bounce);
                MemorySegment.ofBuffer(dst).copyFrom(bounce.asSlice(0, n));
            }
        }
        if (n == 0) {
            return -1;
        }
        dst.position(dst.position() + n);
        return n;
    }

    /** Writes everything remaining in {@code src}. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int n = src.remaining();
        if (src.isDirect()) {
            fd.write(MemorySegment.ofBuffer(src));
        } else {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment bounce = arena.allocate(Math.min(n, BOUNCE));
                MemorySegment heap = MemorySegment.ofBuffer(src);
                for (long done = 0; done < n; ) {
                    long chunk = Math.min(bounce.byteSize(), n - done);
                    MemorySegment slice = bounce.asSlice(0, chunk);
                    slice.copyFrom(heap.asSlice(done, chunk));
                    fd.write(slice);
                    done += chunk;
                }
            }
        }
        src.position(src.position() + n);
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        if (open) {
            open = false;
            fd.close();
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
