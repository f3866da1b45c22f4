package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A channel behind one fixed native buffer (owned here, released by close): headers and
 * small payloads are gathered so many small records cost one write(2); payloads that do
 * not fit go straight to the channel. Once a channel write failed the stream holds an
 * unknown prefix, so every later call is refused instead of joining a torn record.
 */
final class StreamOutput implements AutoCloseable {
    private final WritableByteChannel out;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment bufferSegment;
    private final ByteBuffer buffer;
    private long position;
    private IOException broken;

    StreamOutput(WritableByteChannel out, int bufferSize) {
        this.out = out;
        this.bufferSegment = arena.allocate(bufferSize);
        this.buffer = bufferSegment.asByteBuffer();
    }

    /** Bytes handed to the channel or buffered. */
    long position() {
        return position;
    }

    void put(byte[] bytes) throws IOException {
        checkUsable();
        if (bytes.length > buffer.remaining()) {
            flush();
        }
        buffer.put(bytes);
        position += bytes.length;
    }

    void put(MemorySegment data) throws IOException {
        checkUsable();
        long n = data.byteSize();
        if (n > buffer.remaining()) {
            flush();
        }
        if (n <= buffer.remaining()) {
            MemorySegment.copy(data, 0, bufferSegment, buffer.position(), n);
            buffer.position(buffer.position() + (int) n);
        } else {
            writeAll(data.asByteBuffer());
        }
        position += n;
    }

    void flush() throws IOException {
        checkUsable();
        buffer.flip();
        try {
            writeAll(buffer);
        } finally {
            buffer.clear();
        }
    }

    void checkUsable() throws IOException {
        if (broken != null) {
            throw new IOException("the change stream is broken by an earlier failed write ("
                    + broken.getMessage() + "); nothing more is written to it", broken);
        }
    }

    /** Marks the stream unusable after a failure that left it with an unknown prefix. */
    void fail(IOException cause) {
        if (broken == null) {
            broken = cause;
        }
    }

    private void writeAll(ByteBuffer src) throws IOException {
        try {
            while (src.hasRemaining()) {
                out.write(src);
            }
        } catch (IOException | RuntimeException e) {
            fail(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            throw e;
        }
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
