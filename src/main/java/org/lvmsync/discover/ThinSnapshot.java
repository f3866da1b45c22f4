package org.lvmsync.discover;

import java.util.Optional;

import org.lvmsync.dm.DevNo;
import org.lvmsync.lvm.LvName;

/**
 * A thin snapshot: a thin LV of the same pool as its origin, whose blocks the pool's
 * metadata maps. What changed is the diff of the two devices' mapping trees.
 *
 * @param name            the snapshot LV as the user named it
 * @param device          its own device, when active (LVM leaves thin snapshots inactive
 *                        unless asked): needed only to read the snapshot's data
 * @param thinId          its thin device id in the pool
 * @param sizeBytes       its size (the origin's size when it was taken)
 * @param originName      the origin LV
 * @param origin          the origin's device, read from by a sync
 * @param originThinId    the origin's thin device id
 * @param originSizeBytes the origin's size now (it may have been resized since)
 * @param originOpenCount how many hold the origin open now
 * @param pool            the pool both live in
 */
public record ThinSnapshot(LvName name, Optional<DevNo> device, long thinId, long sizeBytes,
                           LvName originName, DevNo origin, long originThinId, long originSizeBytes,
                           int originOpenCount, ThinPool pool) implements Snapshot {
}
