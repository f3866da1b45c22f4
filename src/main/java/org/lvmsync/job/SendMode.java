package org.lvmsync.job;

/** What a send sends: a closed set, so each new mode is handled wherever modes are. */
public sealed interface SendMode {
    /** {@code lvmsync SNAP DEST}: what changed on the origin since the snapshot was taken, read from the origin. */
    record Changes() implements SendMode {
    }

    /**
     * {@code lvmsync --since OLDER SNAP DEST}: what differs between two thin snapshots of one
     * origin, read from SNAP (the newer one).
     */
    record Since(String older) implements SendMode {
    }

    /**
     * {@code lvmsync --full SNAP DEST}: the first copy. A thin snapshot's mapped blocks, read
     * from the snapshot, with what it does not map arriving as zeros; a classic snapshot's
     * origin, whole.
     */
    record Full() implements SendMode {
    }
}
