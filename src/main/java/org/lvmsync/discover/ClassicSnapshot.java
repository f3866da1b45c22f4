package org.lvmsync.discover;

import org.lvmsync.dm.DevNo;
import org.lvmsync.lvm.LvName;

/**
 * What the device-mapper tables say about a classic (dm-snapshot) snapshot.
 *
 * @param name       the snapshot LV as the user named it
 * @param dmName     its device-mapper name
 * @param originReal the origin's real data device ({@code VG-ORIG-real}), from the snapshot table
 * @param origin     the origin LV's own device ({@code snapshot-origin} over originReal), read
 *                   from so the data passes through the same path the service wrote it by
 * @param cow        the exception store, from the snapshot table (never from a guessed name)
 * @param chunkBytes the snapshot's chunk size; the COW header must agree
 * @param sizeBytes  the snapshot's (= the origin's) size, from the table's length
 * @param originOpenCount how many hold the origin open now: a mounted filesystem or a running
 *                   service may still have writes in flight that the sync would miss
 */
public record ClassicSnapshot(LvName name, String dmName, DevNo originReal, DevNo origin, DevNo cow,
                              long chunkBytes, long sizeBytes, int originOpenCount) implements Snapshot {
}
