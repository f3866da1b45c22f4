package org.lvmsync.thin;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

import static org.lvmsync.thin.Layout.LE_INT;
import static org.lvmsync.thin.Layout.LE_LONG;

/**
 * The thin pool superblock (block 0, and the copy {@code reserve_metadata_snap} makes at
 * the held root). Fields at: csum u32 @0, flags u32 @4, blocknr u64 @8, uuid[16] @16,
 * magic u64 @32, version u32 @40, time u32 @44, trans_id u64 @48, held_root u64 @56, data
 * space map root [128] @64 (its first u64 is the number of data blocks), metadata space
 * map root [128] @192, data_mapping_root u64 @320, device_details_root u64 @328,
 * data_block_size u32 @336 (sectors), metadata_block_size u32 @340 (sectors),
 * metadata_nr_blocks u64 @344, compat flags u32 @352, compat_ro @356, incompat @360.
 * The copy at the held root has its space map roots wiped: it counts no data blocks.
 */
public record Superblock(int flags, long blocknr, long magic, int version, int time, long transactionId,
                         long heldRoot, long dataBlockCount, long dataMappingRoot, long deviceDetailsRoot,
                         int dataBlockSectors, int metadataBlockSectors, long metadataBlockCount,
                         int compatFlags, int compatRoFlags, int incompatFlags) {
    public static final long MAGIC = 27022010;
    /** The metadata formats dm-thin has written (2 adds nothing a reader must know). */
    static final int MIN_VERSION = 1;
    static final int MAX_VERSION = 2;
    static final int METADATA_BLOCK_SECTORS = Layout.BLOCK_SIZE / 512;

    /**
     * Stores in the first four bytes of {@code block} (4096 bytes) the checksum a superblock
     * with its contents must carry, for code that writes metadata (the AOT training's image).
     */
    public static void seal(MemorySegment block) {
        block.set(LE_INT, 0, Layout.checksum(new CRC32C(), block, Layout.SUPERBLOCK_SALT));
    }

    /** Decodes the fields in on-disk order; no validation. */
    public static Superblock read(MemorySegment block) {
        return new Superblock(
                block.get(LE_INT, 4),
                block.get(LE_LONG, 8),
                block.get(LE_LONG, 32),
                block.get(LE_INT, 40),
                block.get(LE_INT, 44),
                block.get(LE_LONG, 48),
                block.get(LE_LONG, 56),
                block.get(LE_LONG, 64),
                block.get(LE_LONG, 320),
                block.get(LE_LONG, 328),
                block.get(LE_INT, 336),
                block.get(LE_INT, 340),
                block.get(LE_LONG, 344),
                block.get(LE_INT, 352),
                block.get(LE_INT, 356),
                block.get(LE_INT, 360));
    }

    /** Data block size in bytes. */
    public long dataBlockBytes() {
        return Integer.toUnsignedLong(dataBlockSectors) * 512;
    }

    /** Refuses a block that is not a superblock this reader understands; the checksum is checked before. */
    public Superblock validate(String source, long location) {
        if (magic != MAGIC) {
            throw new CorruptPoolMetadataException(source, location, "magic is " + Long.toUnsignedString(magic)
                    + ", expected " + MAGIC + ": not a thin pool superblock (is this the pool's _tmeta device?)");
        }
        if (blocknr != location) {
            throw new CorruptPoolMetadataException(source, location, "the superblock says it is block "
                    + Long.toUnsignedString(blocknr) + ": the metadata is damaged or the wrong block was read");
        }
        if (version < MIN_VERSION || version > MAX_VERSION) {
            throw new CorruptPoolMetadataException(source, location, "unsupported metadata version "
                    + Integer.toUnsignedString(version) + " (this reader knows " + MIN_VERSION + " to " + MAX_VERSION + ")");
        }
        if (incompatFlags != 0) {
            throw new CorruptPoolMetadataException(source, location, String.format(
                    "incompatible feature flags 0x%x are set that this reader does not know", incompatFlags));
        }
        if (metadataBlockSectors != METADATA_BLOCK_SECTORS) {
            throw new CorruptPoolMetadataException(source, location, "metadata block size is "
                    + Integer.toUnsignedString(metadataBlockSectors) + " sectors, expected " + METADATA_BLOCK_SECTORS);
        }
        if (dataBlockSectors <= 0) {
            throw new CorruptPoolMetadataException(source, location, "data block size is "
                    + Integer.toUnsignedString(dataBlockSectors) + " sectors");
        }
        return this;
    }
}
