package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Writes one change stream: the handshake, records, and whatever the format puts at the
 * end. Output is buffered; {@link #finish()} flushes it. One owner, single thread; closing
 * releases the encoder's buffer, not the channel.
 *
 * <p>Once a write to the channel failed, the stream holds an unknown prefix of what was
 * given; the encoder then refuses every further call with an IOException rather than
 * write bytes that could join a torn record.
 */
public interface StreamEncoder extends AutoCloseable {
    /** Writes the handshake line. Call once, first. */
    void writeHandshake() throws IOException;

    /**
     * Writes one record; a {@link Record.Data} record's payload holds its {@code length()}
     * bytes (borrowed for the call).
     *
     * @throws IllegalArgumentException if the record breaks the format's limits (longer than
     *                                  {@link #maxRecordLength()}) or the payload does not match
     */
    void write(Record record, MemorySegment payload) throws IOException;

    /** The longest data record this format can carry; longer runs must be split by the caller. */
    long maxRecordLength();

    /** Writes anything buffered to the channel. */
    void flush() throws IOException;

    /** Ends the stream (a trailer, where the format has one) and flushes. Does not close the channel. */
    void finish() throws IOException;

    /** Bytes handed to the channel or buffered so far, handshake included. */
    long position();

    @Override
    void close();
}
