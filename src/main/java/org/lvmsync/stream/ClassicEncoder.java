package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@link ClassicFormat} streams through a {@link StreamOutput}, the same buffered,
 * refuse-after-a-failed-write output the extended encoder uses: a stream of 4 KiB records
 * costs one write(2) per buffer, not two per record.
 */
final class ClassicEncoder implements StreamEncoder {
    static final int BUFFER_SIZE = 256 * 1024;
    /** Zeros for zero and discard records; records of at most 1 MiB, like the sender's. */
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[1 << 20]);

    private final ClassicFormat format;
    private final StreamOutput out;
    /** One record header, big-endian (ByteBuffer's default order): offset u64, length u32. */
    private final byte[] header = new byte[ClassicFormat.HEADER_BYTES];

    ClassicEncoder(ClassicFormat format, WritableByteChannel channel) {
        this.format = format;
        this.out = new StreamOutput(channel, BUFFER_SIZE);
    }

    @Override
    public void writeHandshake() throws IOException {
        out.checkUsable();
        if (out.position() != 0) {
            throw new IllegalStateException("the handshake must be the first thing in a stream");
        }
        out.put((format.handshake() + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void write(Record record, MemorySegment payload) throws IOException {
        switch (record) {
            case Record.Data data -> writeData(data, payload);
            case Record.Zero zero -> writeZeros(zero);
            case Record.Discard discard -> writeZeros(discard);
            case Record.Header identity -> out.checkUsable();   // the classic formats carry no identity
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
        out.checkUsable();
        long length = record.length();
        if (length > ClassicFormat.MAX_RECORD_LENGTH || data.byteSize() != length) {
            throw new IllegalArgumentException("record of " + length + " bytes with a payload of " + data.byteSize()
                    + " bytes; records carry 1.." + ClassicFormat.MAX_RECORD_LENGTH + " bytes: split longer runs");
        }
        ByteBuffer.wrap(header).putLong(record.offset()).putInt((int) length);
        out.put(header);
        out.put(data);
    }

    @Override
    public long maxRecordLength() {
        return ClassicFormat.MAX_RECORD_LENGTH;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** The classic format has no trailer: the stream simply ends. */
    @Override
    public void finish() throws IOException {
        flush();
    }

    @Override
    public long position() {
        return out.position();
    }

    @Override
    public void close() {
        out.close();
    }
}
