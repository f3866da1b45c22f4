package org.lvmsync.thin;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.BitSet;

import org.lvmsync.Log;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;
import org.lvmsync.os.Mmap;

/**
 * A thin pool's metadata device (or a file holding a copy) mapped read-only.
 *
 * <p>The kernel writes the metadata below the page cache of the {@code _tmeta} device, so
 * pages cached from an earlier read can be stale: for a block device this one device's
 * cache is dropped first (BLKFLSBUF; posix_fadvise DONTNEED when that is not permitted),
 * the rest of the host's page cache is left alone. It is never opened exclusively (the
 * pool holds it open). Prefetch hints become madvise(MADV_WILLNEED), so the blocks of a
 * tree level are read in parallel. On close the mapping lets go of its pages and exactly
 * the pages that were not cached before it was opened are dropped from the page cache
 * again, so the walk leaves no cache behind and takes none from anyone else.
 */
public final class MappedMetadata implements BlockSource {
    private final Fd fd;
    private final Mmap map;
    private final MemorySegment image;
    private final long blockCount;
    private final BitSet residentBefore;
    private boolean hintFailed;
    private boolean closed;

    private MappedMetadata(Fd fd, Mmap map, long blockCount, BitSet residentBefore) {
        this.fd = fd;
        this.map = map;
        this.image = map.segment();
        this.blockCount = blockCount;
        this.residentBefore = residentBefore;
    }

    public static MappedMetadata open(Path path) throws IOException {
        Fd fd = Fd.open(path, Fd.O_RDONLY);
        try {
            if (fd.stat().isBlockDevice()) {
                dropDeviceCache(fd);
            }
            long size = fd.size();
            long blocks = size / Layout.BLOCK_SIZE;
            if (blocks == 0) {
                throw new CorruptPoolMetadataException(fd.name(), 0, "the metadata is " + size
                        + " bytes, less than one 4096-byte block: not thin pool metadata, or truncated");
            }
            Mmap map = Mmap.map(fd, 0, blocks * Layout.BLOCK_SIZE, true);
            BitSet resident;
            try {
                resident = map.residentPages();
            } catch (ErrnoException e) {
                map.close();
                throw e;
            }
            return new MappedMetadata(fd, map, blocks, resident);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    private static void dropDeviceCache(Fd fd) throws ErrnoException {
        try {
            fd.flushBlockBuffers();
        } catch (ErrnoException e) {
            // BLKFLSBUF needs CAP_SYS_ADMIN; dropping clean pages needs nothing, and the
            // metadata device has no dirty ones (nobody writes it through the page cache)
            Log.debug("BLKFLSBUF " + fd.name() + " refused (" + e.getMessage() + "); using posix_fadvise(DONTNEED)");
            fd.fadviseDontNeed(0, 0);
        }
    }

    @Override
    public String name() {
        return fd.name();
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public MemorySegment block(long blocknr) {
        return image.asSlice(blocknr * Layout.BLOCK_SIZE, Layout.BLOCK_SIZE);
    }

    @Override
    public void willNeed(long first, long count) {
        if (first < 0 || count <= 0 || first >= blockCount || hintFailed) {
            return; // a bad pointer is reported when the block is read, not here
        }
        long n = Math.min(count, blockCount - first);
        try {
            map.adviseWillNeed(first * Layout.BLOCK_SIZE, n * Layout.BLOCK_SIZE);
        } catch (ErrnoException e) {
            hintFailed = true; // only a hint: the walk reads the blocks anyway, one fault at a time
            Log.debug(e.getMessage() + "; reading without prefetch");
        }
    }

    /** Pages of the mapping that were in the page cache before it was opened. */
    BitSet residentBefore() {
        return (BitSet) residentBefore.clone();
    }

    /** Unmaps and drops the pages the walk brought in; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            map.adviseDontNeed();
        } catch (ErrnoException e) {
            Log.debug(e.getMessage());
        }
        map.close();
        try {
            dropPagesWeBroughtIn();
        } catch (ErrnoException e) {
            Log.warn("could not drop the page cache the metadata walk filled: " + e.getMessage());
        }
        closeQuietly(fd);
    }

    private void dropPagesWeBroughtIn() throws ErrnoException {
        long page = 0;
        while (page < blockCount) {
            long start = residentBefore.nextClearBit((int) page);
            if (start >= blockCount) {
                return;
            }
            long end = Math.min(blockCount, residentBefore.nextSetBit((int) start) < 0
                    ? blockCount : residentBefore.nextSetBit((int) start));
            fd.fadviseDontNeed(start * Layout.BLOCK_SIZE, (end - start) * Layout.BLOCK_SIZE);
            page = end;
        }
    }

    private static void closeQuietly(Fd fd) {
        try {
            fd.close();
        } catch (ErrnoException e) {
            Log.debug(e.getMessage());
        }
    }
}
