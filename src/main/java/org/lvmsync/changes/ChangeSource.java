package org.lvmsync.changes;

import java.io.IOException;

/**
 * What changed on a device since a snapshot, whichever way it was learnt: a classic
 * snapshot's exception store ({@code cow}), or a diff of thin metadata ({@code thin}).
 * Producers know nothing of the sender; the job layer hands the runs on.
 */
public interface ChangeSource extends AutoCloseable {
    /** The changed byte ranges of the origin, sorted and coalesced. */
    RunList changes() throws IOException;

    /** For messages: what the changes were read from. */
    String describe();

    /** Releases what the source holds (a thin pool's metadata snapshot); nothing by default. */
    @Override
    default void close() throws IOException {
    }
}
