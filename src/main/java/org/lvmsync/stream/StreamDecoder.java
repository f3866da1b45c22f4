package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Reads the records of one change stream. {@link #next()} returns a validated record; a
 * data record's payload is then pulled in pieces of the caller's choosing through
 * {@link #readPayload(MemorySegment)}, so a record is never held whole in memory.
 * Unread payload is skipped by the next call to {@code next()}. Closing releases the
 * decoder's buffers, not the channel it reads.
 */
public interface StreamDecoder extends AutoCloseable {
    StreamFormat format();

    /**
     * The next record, or {@code null} at the clean end of the stream.
     *
     * @throws CorruptStreamException when the record is cut short or invalid, or the
     *                                previous record's payload is cut short
     */
    Record next() throws IOException;

    /** 0-based number of the record {@link #next()} returned last. */
    long recordIndex();

    /** Byte position in the stream where the record {@link #next()} returned last begins. */
    long recordStreamOffset();

    /**
     * Copies the next {@code min(dst.byteSize(), payloadRemaining())} payload bytes of the
     * current record into {@code dst} (filling it from its start).
     *
     * @return bytes copied; 0 only when the payload is complete or dst is empty
     * @throws CorruptStreamException when the stream ends inside the payload
     */
    long readPayload(MemorySegment dst) throws IOException;

    /** Payload bytes of the current record not read yet. */
    long payloadRemaining();

    /** Byte position in the stream of the next byte to be read. */
    long position();

    @Override
    void close();
}
