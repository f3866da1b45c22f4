package org.lvmsync.cow;

/**
 * Where things are in a persistent exception store, as pure arithmetic.
 *
 * <p>Chunk 0 holds the header. Metadata area {@code i} is one chunk at chunk
 * {@code 1 + (epa + 1) * i}, followed by the {@code epa} data chunks it describes, where
 * {@code epa = chunk_bytes / 16} (one 16-byte exception record per slot).
 */
public final class CowGeometry {
    public static final int SECTOR_BYTES = 512;
    /** One on-disk exception: u64 old_chunk, u64 new_chunk. */
    public static final int EXCEPTION_BYTES = 16;
    /** Chunks before the first metadata area (the header). */
    public static final long HEADER_CHUNKS = 1;

    private CowGeometry() {
    }

    public static long chunkBytes(long chunkSectors) {
        return chunkSectors * SECTOR_BYTES;
    }

    /** Exceptions per metadata area. */
    public static long exceptionsPerArea(long chunkBytes) {
        return chunkBytes / EXCEPTION_BYTES;
    }

    /** Chunk number of metadata area {@code area}. */
    public static long areaChunk(long area, long exceptionsPerArea) {
        return HEADER_CHUNKS + (exceptionsPerArea + 1) * area;
    }

    /** Byte offset of metadata area {@code area} on the COW device. */
    public static long areaOffset(long area, long chunkBytes) {
        return areaChunk(area, exceptionsPerArea(chunkBytes)) * chunkBytes;
    }

    /** True when COW chunk {@code chunk} is the header or a metadata area, never a data chunk. */
    public static boolean isMetadataChunk(long chunk, long exceptionsPerArea) {
        return chunk < HEADER_CHUNKS || (chunk - HEADER_CHUNKS) % (exceptionsPerArea + 1) == 0;
    }

    /** Byte range start of origin chunk {@code oldChunk}. */
    public static long originOffset(long oldChunk, long chunkBytes) {
        return oldChunk * chunkBytes;
    }
}
