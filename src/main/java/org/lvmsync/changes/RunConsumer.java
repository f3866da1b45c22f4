package org.lvmsync.changes;

import java.io.IOException;

/** Receives byte runs {@code [offset, offset + length)} in ascending, non-overlapping order. */
@FunctionalInterface
public interface RunConsumer {
    void accept(long offset, long length) throws IOException;
}
