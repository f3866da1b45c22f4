package org.lvmsync.discover;

import org.lvmsync.dm.DevNo;
import org.lvmsync.lvm.LvName;

/**
 * What discovery found behind a snapshot's name: one kind per way LVM records changes,
 * each carrying what its change source needs. Refusals are decided before one is made,
 * so holding a Snapshot means it can be read.
 */
public sealed interface Snapshot permits ClassicSnapshot, ThinSnapshot {
    /** The snapshot LV as the user named it. */
    LvName name();

    /** The device the changed data is read from unless --data-source says otherwise. */
    DevNo origin();

    /** The snapshot's (= the origin's) size in bytes. */
    long sizeBytes();

    /**
     * How many hold the origin open now: a mounted filesystem or a running service may
     * still have writes in flight that the sync would miss.
     */
    int originOpenCount();
}
