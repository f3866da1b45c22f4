package org.lvmsync.thin;

import java.lang.foreign.MemorySegment;

import static org.lvmsync.thin.Layout.LE_INT;
import static org.lvmsync.thin.Layout.LE_LONG;

/**
 * A value of the device details tree (24 bytes): mapped_blocks u64, transaction_id u64,
 * creation_time u32, snapshotted_time u32. The times are the pool's snapshot epochs: a
 * device created (or last snapshotted) later has a larger one.
 */
public record DeviceDetails(long mappedBlocks, long transactionId, int creationTime, int snapshottedTime) {
    public static final int BYTES = 24;

    public static DeviceDetails read(MemorySegment segment, long offset) {
        return new DeviceDetails(
                segment.get(LE_LONG, offset),
                segment.get(LE_LONG, offset + 8),
                segment.get(LE_INT, offset + 16),
                segment.get(LE_INT, offset + 20));
    }
}
