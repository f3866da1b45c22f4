package org.lvmsync.discover;

import org.lvmsync.dm.DevNo;
import org.lvmsync.lvm.LvName;

/**
 * A thin pool as discovery found it.
 *
 * @param lv             the pool LV ({@code VG/POOL}), for messages
 * @param dmName         the pool target's device ({@code VG-POOL-tpool}): messages and status go there
 * @param dev            its device number, as the thin tables name it
 * @param metadata       the metadata device ({@code VG-POOL_tmeta}), from the pool's table
 * @param dataBlockBytes the data block size, from the pool's table
 */
public record ThinPool(LvName lv, String dmName, DevNo dev, DevNo metadata, long dataBlockBytes) {
}
