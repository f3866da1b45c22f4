package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@link ClassicFormat} streams. Headers and small payloads are gathered in one
 * fixed buffer so a stream of 4 KiB records costs one write(2) per buffer, not two per
 * record; payloads at least as large as the buffer go straight to the channel.
 */
final class ClassicEncoder implements StreamEncoder {
    static final int BUFFER_SIZE = 256 * 1024;

    private final ClassicFormat format;
    private final WritableByteChannel out;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.BIG_ENDIAN);
    /** The whole buffer, addressed absolutely (a segment of a ByteBuffer starts at its position). */
    private final MemorySegment bufferSegment = MemorySegment.ofBuffer(buffer);
    private long position;

    ClassicEncoder(ClassicFormat format, WritableByteChannel out) {
        this.format = format;
        this.out = out;
    }

    @Override
    public void writeHandshake() throws IOException {
        if (position != 0) {
            throw new IllegalStateException("the handshake must be the first thing in a stream");
        }
        byte[] line = (format.handshake() + "\n").getBytes(StandardCharsets.US_ASCII);
        buffer.put(line);
        position += line.length;
    }

    @Override
    public void writeRecord(long offset, MemorySegment data) throws IOException {
        long length = data.byteSize();
        check(offset, length);
        if (buffer.remaining() < ClassicFormat.HEADER_BYTES) {
            flush();
        }
        buffer.putLong(offset).putInt((int) length);
        position += ClassicFormat.HEADER_BYTES;
        if (length <= buffer.remaining()) {
            MemorySegment.copy(data, 0, bufferSegment, buffer.position(), length);
            buffer.position(buffer.position() + (int) length);
        } else {
            flush();
            writeAll(data.asByteBuffer());
        }
        position += length;
    }

    private static void check(long offset, long length) {
        if (length <= 0 || length > ClassicFormat.MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("record length " + length + " is outside 1.."
                    + ClassicFormat.MAX_RECORD_LENGTH + "; split longer runs");
        }
        if (offset < 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("record offset " + offset + " + length " + length
                    + " is outside 0..2^63-1");
        }
    }

    @Override
    public long maxRecordLength() {
        return ClassicFormat.MAX_RECORD_LENGTH;
    }

    @Override
    public void flush() throws IOException {
        buffer.flip();
        writeAll(buffer);
        buffer.clear();
    }

    /** The classic format has no trailer: the stream simply ends. */
    @Override
    public void finish() throws IOException {
        flush();
    }

    @Override
    public long position() {
        return position;
    }

    private void writeAll(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            out.write(src);
        }
    }
}
