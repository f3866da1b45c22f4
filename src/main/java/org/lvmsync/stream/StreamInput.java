package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A change stream being read: a channel behind one fixed read-ahead buffer, counting the
 * bytes consumed so errors can name their position. Small reads (handshake, headers) are
 * served from the buffer; large payload reads bypass it when it is empty, so data is
 * copied once. The buffer is native memory owned here: {@link #close()} releases it (the
 * channel is the caller's).
 */
public final class StreamInput implements AutoCloseable {
    /** Read-ahead size: large enough to hold many 4 KiB records per read(2). */
    public static final int BUFFER_SIZE = 256 * 1024;

    private final ReadableByteChannel channel;
    private final Arena arena = Arena.ofConfined();
    private final ByteBuffer buffer;
    private long position;
    private boolean eof;

    public StreamInput(ReadableByteChannel channel) {
        this(channel, BUFFER_SIZE);
    }

    StreamInput(ReadableByteChannel channel, int bufferSize) {
        this.channel = channel;
        this.buffer = arena.allocate(bufferSize).asByteBuffer();
        buffer.limit(0);
    }

    /** Bytes consumed so far. */
    public long position() {
        return position;
    }

    /** The next byte (0..255), or -1 at the end of the stream. */
    public int read() throws IOException {
        if (!buffer.hasRemaining() && !refill()) {
            return -1;
        }
        position++;
        return buffer.get() & 0xff;
    }

    /**
     * Reads {@code len} bytes into {@code dst}, stopping early only at the end of the
     * stream.
     *
     * @return bytes read (less than len only at the end of the stream)
     */
    public int readFully(byte[] dst, int len) throws IOException {
        int done = 0;
        while (done < len) {
            if (!buffer.hasRemaining() && !refill()) {
                break;
            }
            int n = Math.min(len - done, buffer.remaining());
            buffer.get(dst, done, n);
            done += n;
        }
        position += done;
        return done;
    }

    /**
     * Reads at most {@code dst.byteSize()} bytes into the start of dst.
     *
     * @return bytes read, at least 1 unless dst is empty; -1 at the end of the stream
     */
    public long read(MemorySegment dst) throws IOException {
        if (dst.byteSize() == 0) {
            return 0;
        }
        long n;
        if (buffer.hasRemaining()) {
            n = Math.min(dst.byteSize(), buffer.remaining());
            MemorySegment.copy(MemorySegment.ofBuffer(buffer), 0, dst, 0, n);
            buffer.position(buffer.position() + (int) n);
        } else if (dst.byteSize() >= buffer.capacity()) {
            n = readDirect(dst);
        } else if (refill()) {
            return read(dst);
        } else {
            n = -1;
        }
        if (n > 0) {
            position += n;
        }
        return n;
    }

    private long readDirect(MemorySegment dst) throws IOException {
        if (eof) {
            return -1;
        }
        ByteBuffer target = dst.asByteBuffer();
        int n;
        do {
            n = channel.read(target);
        } while (n == 0);
        if (n < 0) {
            eof = true;
        }
        return n;
    }

    private boolean refill() throws IOException {
        if (eof) {
            return false;
        }
        buffer.clear();
        int n;
        do {
            n = channel.read(buffer);
        } while (n == 0);
        buffer.flip();
        if (n < 0) {
            eof = true;
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
