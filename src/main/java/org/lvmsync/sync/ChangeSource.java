package org.lvmsync.sync;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What snapshot discovery hands the sender: where the changes are recorded and where the
 * changed data is read from. A classic snapshot's is {@code cow.CowChangeSource}; a thin
 * one holds a metadata snapshot and releases it on close.
 */
public interface ChangeSource extends AutoCloseable {
    /** The changed byte ranges of the origin, sorted and coalesced. */
    RunList changes() throws IOException;

    /** The device the changed data is read from unless --data-source says otherwise. */
    Path origin();

    /** For messages: what the changes were read from. */
    String describe();

    /** Releases what discovery holds (a thin pool's metadata snapshot); nothing by default. */
    @Override
    default void close() throws IOException {
    }
}
