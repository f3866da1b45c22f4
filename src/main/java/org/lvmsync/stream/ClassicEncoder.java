package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@link ClassicFormat} streams. Headers and small payloads are gathered in one
 * fixed native buffer (owned here, released by close) so a stream of 4 KiB records costs
 * one write(2) per buffer, not two per record; payloads at least as large as the buffer
 * go straight to the channel.
 */
final class ClassicEncoder implements StreamEncoder {
    static final int BUFFER_SIZE = 256 * 1024;
    /** Zeros for zero and discard records; records of at most 1 MiB, like the sender's. */
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[1 << 20]);

    private final ClassicFormat format;
    private final WritableByteChannel out;
    private final Arena arena = Arena.ofConfined();
    /** The whole buffer, addressed absolutely; {@link #buffer} is a view of it. */
    private final MemorySegment bufferSegment = arena.allocate(BUFFER_SIZE);
    private final ByteBuffer buffer = bufferSegment.asByteBuffer().order(ByteOrder.BIG_ENDIAN);
    private long position;
    private IOException broken;

    ClassicEncoder(ClassicFormat format, WritableByteChannel out) {
        this.format = format;
        this.out = out;
    }

    @Override
    public void writeHandshake() throws IOException {
        checkUsable();
        if (position != 0) {
            throw new IllegalStateException("the handshake must be the first thing in a stream");
        }
        byte[] line = (format.handshake() + "\n").getBytes(StandardCharsets.US_ASCII);
        buffer.put(line);
        position += line.length;
    }

    @Override
    public void write(Record record, MemorySegment payload) throws IOException {
        switch (record) {
            case Record.Data data -> writeData(data, payload);
            case Record.Zero zero -> writeZeros(zero);
            case Record.Discard discard -> writeZeros(discard);
            case Record.Header header -> checkUsable();   // the classic formats carry no identity
            case Record.End end -> throw new IllegalArgumentException(
                    "the end record is made by finish(); the classic formats have none");
        }
    }

    /** The classic formats have no zero or discard record: the zeros travel as data, 1 MiB at a time. */
    private void writeZeros(Record.Extent extent) throws IOException {
        for (long at = 0; at < extent.length(); at += ZEROS.byteSize()) {
            long n = Math.min(ZEROS.byteSize(), extent.length() - at);
            writeData(new Record.Data(extent.offset() + at, n), ZEROS.asSlice(0, n));
        }
    }

    private void writeData(Record.Data record, MemorySegment data) throws IOException {
        checkUsable();
        long length = record.length();
        if (length > ClassicFormat.MAX_RECORD_LENGTH || data.byteSize() != length) {
            throw new IllegalArgumentException("record of " + length + " bytes with a payload of " + data.byteSize()
                    + " bytes; records carry 1.." + ClassicFormat.MAX_RECORD_LENGTH + " bytes: split longer runs");
        }
        if (buffer.remaining() < ClassicFormat.HEADER_BYTES) {
            flush();
        }
        buffer.putLong(record.offset()).putInt((int) length);
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

    @Override
    public long maxRecordLength() {
        return ClassicFormat.MAX_RECORD_LENGTH;
    }

    @Override
    public void flush() throws IOException {
        checkUsable();
        buffer.flip();
        try {
            writeAll(buffer);
        } finally {
            buffer.clear();
        }
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

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    private void writeAll(ByteBuffer src) throws IOException {
        try {
            while (src.hasRemaining()) {
                out.write(src);
            }
        } catch (IOException | RuntimeException e) {
            broken = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            throw e;
        }
    }

    private void checkUsable() throws IOException {
        if (broken != null) {
            throw new IOException("the change stream is broken by an earlier failed write ("
                    + broken.getMessage() + "); nothing more is written to it", broken);
        }
    }
}
