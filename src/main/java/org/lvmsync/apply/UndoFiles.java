package org.lvmsync.apply;

/**
 * What applying an undo (snapback) file may forgive. A run that crashed leaves its undo
 * file without the end record, possibly ending in a torn record: the tail written after
 * the last sync, pre-images of a batch that was never written to the destination (the
 * applier writes a batch only once its pre-images are durable). That tail is at most
 * {@link Snapback#MAX_UNSYNCED} bytes. So a damaged or cut record that far from the end of
 * an undo file is such a tail and is skipped with a warning; anywhere else, or in an
 * ordinary stream, it stays an error.
 */
public final class UndoFiles {
    private UndoFiles() {
    }

    /** Whether a record starting {@code bytesToEnd} bytes before the end of an undo file may be its torn tail. */
    public static boolean tornTail(long bytesToEnd) {
        return bytesToEnd >= 0 && bytesToEnd <= Snapback.MAX_UNSYNCED;
    }
}
