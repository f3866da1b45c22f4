package org.lvmsync.transport;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Where the sender's records go: a stream on stdout, an in-process apply onto a local
 * device, or the stdin of a remote {@code lvmsync --apply -}. One owner, closed once.
 */
public interface RecordSink extends AutoCloseable {
    /** One change: {@code data.byteSize()} bytes that belong at byte {@code offset} of the device. */
    void record(long offset, MemorySegment data) throws IOException;

    /**
     * Everything is sent: flush, make it durable where the sink can, and wait for the far
     * side to finish (a remote apply's exit status). Failure here fails the run.
     */
    void finish() throws IOException;

    /** Releases the sink; after an unfinished run it aborts (kills a remote, keeps what is durable). */
    @Override
    void close() throws IOException;
}
