package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the records of a {@link ClassicFormat} stream (layout described there) and
 * validates each header before anyone acts on it: complete, non-empty, at most
 * {@link ClassicFormat#MAX_RECORD_LENGTH}, offset and end within 0..2^63-1. Owns its
 * {@link StreamInput}.
 */
final class ClassicDecoder implements StreamDecoder {
    private final ClassicFormat format;
    private final StreamInput in;
    private final String source;
    private final byte[] header = new byte[ClassicFormat.HEADER_BYTES];
    private final ByteBuffer headerView = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
    private final MemorySegment skipBuffer = MemorySegment.ofArray(new byte[64 * 1024]);

    private Record.Data current;
    private long currentIndex = -1;
    private long currentAt;
    private long remaining;
    private long nextIndex;

    ClassicDecoder(ClassicFormat format, StreamInput in, String source) {
        this.format = format;
        this.in = in;
        this.source = source;
    }

    @Override
    public StreamFormat format() {
        return format;
    }

    @Override
    public Record next() throws IOException {
        while (remaining > 0) {
            readPayload(skipBuffer.asSlice(0, Math.min(remaining, skipBuffer.byteSize())));
        }
        long at = in.position();
        int got = in.readFully(header, header.length);
        if (got == 0) {
            current = null;
            return null;
        }
        long index = nextIndex++;
        if (got < header.length) {
            throw corrupt(at, index, "header cut short: the stream ends after " + got + " of "
                    + header.length + " header bytes");
        }
        long offset = headerView.getLong(0);
        long length = Integer.toUnsignedLong(headerView.getInt(8));
        validate(at, index, offset, length);
        current = new Record.Data(offset, length);
        currentIndex = index;
        currentAt = at;
        remaining = length;
        return current;
    }

    @Override
    public long recordIndex() {
        return currentIndex;
    }

    @Override
    public long recordStreamOffset() {
        return currentAt;
    }

    private void validate(long at, long index, long offset, long length) throws CorruptStreamException {
        if (length == 0) {
            throw corrupt(at, index, "zero-length record (offset " + Long.toUnsignedString(offset) + ")");
        }
        if (length > ClassicFormat.MAX_RECORD_LENGTH) {
            throw corrupt(at, index, "record length " + length + " exceeds the limit of "
                    + ClassicFormat.MAX_RECORD_LENGTH + " bytes (64 MiB)");
        }
        if (offset < 0) {
            throw corrupt(at, index, "offset " + Long.toUnsignedString(offset) + " is beyond 2^63");
        }
        if (offset > Long.MAX_VALUE - length) {
            throw corrupt(at, index, "offset " + offset + " + length " + length + " overflows 2^63");
        }
    }

    @Override
    public long readPayload(MemorySegment dst) throws IOException {
        long want = Math.min(dst.byteSize(), remaining);
        long done = 0;
        while (done < want) {
            long n = in.read(dst.asSlice(done, want - done));
            if (n < 0) {
                long got = current.length() - remaining + done;
                throw corrupt(currentAt, currentIndex, "payload cut short: the stream ends at byte "
                        + in.position() + " after " + got + " of " + current.length() + " payload bytes");
            }
            done += n;
        }
        remaining -= done;
        return done;
    }

    @Override
    public long payloadRemaining() {
        return remaining;
    }

    @Override
    public long position() {
        return in.position();
    }

    /** Releases the read-ahead buffer (the channel belongs to the caller). */
    @Override
    public void close() {
        in.close();
    }

    private CorruptStreamException corrupt(long at, long index, String detail) {
        return new CorruptStreamException(source, at, index, detail);
    }
}
