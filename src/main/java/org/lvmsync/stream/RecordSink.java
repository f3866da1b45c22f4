package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Where records go: a stream on stdout, an in-process apply onto a local device, the
 * stdin of a remote {@code lvmsync --apply -}. One owner, one thread, closed once.
 *
 * <p>The payload handed to {@link #accept} is <b>borrowed</b>: it is valid only until the
 * call returns (the sender passes slices of its read buffers, which are refilled by the
 * next reads), so a sink that keeps bytes beyond the call copies them.
 */
public interface RecordSink extends AutoCloseable {
    /**
     * One change. For {@link Record.Data} the payload holds exactly {@code record.length()}
     * bytes.
     */
    void accept(Record record, MemorySegment payload) throws IOException;

    /** {@code payload.byteSize()} bytes of new data that belong at byte {@code offset}. */
    default void data(long offset, MemorySegment payload) throws IOException {
        accept(new Record.Data(offset, payload.byteSize()), payload);
    }

    /**
     * Everything is sent: flush, make it durable where the sink can, and wait for the far
     * side to finish (a remote apply's exit status). Failure here fails the run.
     */
    void finish() throws IOException;

    /** Releases the sink; after an unfinished run it aborts (kills a remote, keeps what is durable). */
    @Override
    void close() throws IOException;
}
