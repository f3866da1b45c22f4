package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Writes one change stream: the handshake, records, and whatever the format puts at the
 * end. Output is buffered; {@link #finish()} flushes it. One owner, single thread.
 */
public interface StreamEncoder {
    /** Writes the handshake line. Call once, first. */
    void writeHandshake() throws IOException;

    /**
     * Writes one record: {@code data.byteSize()} bytes that belong at byte {@code offset}
     * of the device.
     *
     * @throws IllegalArgumentException if the record breaks the format's limits (empty,
     *                                  longer than {@link #maxRecordLength()}, negative or
     *                                  overflowing offset)
     */
    void writeRecord(long offset, MemorySegment data) throws IOException;

    /** The longest record this format can carry; longer runs must be split by the caller. */
    long maxRecordLength();

    /** Writes anything buffered to the channel. */
    void flush() throws IOException;

    /** Ends the stream (a trailer, where the format has one) and flushes. Does not close the channel. */
    void finish() throws IOException;

    /** Bytes handed to the channel or buffered so far, handshake included. */
    long position();
}
