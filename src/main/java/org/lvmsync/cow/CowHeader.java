package org.lvmsync.cow;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.lvmsync.FailureClass;
import org.lvmsync.changes.CorruptMetadataException;

/**
 * The header in chunk 0 of a persistent exception store: four little-endian u32 at byte
 * 0: magic {@code 0x70416e53} ("SnAp" read as bytes S-n-A-p), valid (1; the kernel
 * writes 0 when the snapshot overflowed or failed), version (1), chunk size in 512-byte
 * sectors. The rest of the chunk is unused.
 */
public record CowHeader(int magic, int valid, int version, int chunkSectors) {
    public static final int MAGIC = 0x70416e53;
    public static final int VERSION = 1;
    public static final int BYTES = 16;

    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Decodes the fields in on-disk order; no validation. */
    public static CowHeader read(MemorySegment segment, long offset) {
        return new CowHeader(
                segment.get(LE_INT, offset),
                segment.get(LE_INT, offset + 4),
                segment.get(LE_INT, offset + 8),
                segment.get(LE_INT, offset + 12));
    }

    public long chunkBytes() {
        return CowGeometry.chunkBytes(Integer.toUnsignedLong(chunkSectors));
    }

    /**
     * Refuses anything but a valid version-1 store with a sane chunk size. An invalidated
     * snapshot is refused with FAILURE: it is not damaged, it has lost track of changes.
     */
    public CowHeader validate(String device) {
        if (magic != MAGIC) {
            throw new CorruptMetadataException(device, 0, "magic", String.format(
                    "expected 0x%08x (SnAp), found 0x%08x: not a dm-snapshot persistent exception store",
                    MAGIC, magic));
        }
        if (valid == 0) {
            throw new CorruptMetadataException(FailureClass.SNAPSHOT_UNUSABLE, device, 0, "valid",
                    "the snapshot is marked invalid (it overflowed or failed) and has lost track of changes; "
                            + "take a new snapshot and copy the whole device");
        }
        if (valid != 1) {
            throw new CorruptMetadataException(device, 0, "valid", "expected 1, found " + Integer.toUnsignedString(valid));
        }
        if (version != VERSION) {
            throw new CorruptMetadataException(device, 0, "version",
                    "expected " + VERSION + ", found " + Integer.toUnsignedString(version) + ": unsupported exception store version");
        }
        // The kernel wants a power of two; chunks below one record per area make no sense,
        // and above 2^31 bytes the kernel itself refuses.
        long sectors = Integer.toUnsignedLong(chunkSectors);
        if (sectors == 0 || Long.bitCount(sectors) != 1 || sectors > (1L << 21)) {
            throw new CorruptMetadataException(device, 0, "chunk_size",
                    "expected a power of two between 1 and 2097152 sectors, found " + sectors);
        }
        return this;
    }
}
