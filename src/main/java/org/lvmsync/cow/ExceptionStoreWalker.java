package org.lvmsync.cow;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.function.LongConsumer;
import org.lvmsync.Log;
import org.lvmsync.changes.CorruptMetadataException;
import org.lvmsync.changes.RunList;
import org.lvmsync.io.IoEngine;
import org.lvmsync.os.AlignedBuffer;

/**
 * Walks the metadata areas of a persistent exception store and reports the origin chunk
 * number of every exception.
 *
 * <p>An area is one chunk of {@code epa} records {u64 old_chunk, u64 new_chunk}, little
 * endian. The list ends at the first record whose new_chunk is 0; an area with all
 * {@code epa} slots used continues in the next area. The areas' places follow from the
 * chunk size alone, so they are asked of the {@link IoEngine} as one plan that an engine
 * with a queue reads ahead of the walk; only the areas in flight are held in memory, so
 * memory stays flat however large the store is; the chunk numbers go straight to a
 * consumer (normally a {@link RunList.Builder}).
 *
 * <p>LVM may autoextend the COW while a first pass walks it: an area or a data chunk
 * past the device's end as it was at open makes the walk ask the device for its size
 * again (and read what lies past the old end) before it calls the store truncated.
 */
public final class ExceptionStoreWalker {
    private static final long ALIGN = 4096;
    private static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What a walk found, for messages and checks. */
    public record Summary(CowHeader header, long exceptions, long areasRead) {
    }

    private final IoEngine cow;
    private final long originSize;
    private long cowChunks;

    /**
     * @param originSize bytes of the origin; exceptions for chunks starting at or past it
     *                   are corrupt (a last, partial chunk is fine: the sender clips it)
     */
    public ExceptionStoreWalker(IoEngine cow, long originSize) {
        this.cow = cow;
        this.originSize = originSize;
    }

    /** Reads and validates the header, then walks every area into a run list of chunk-sized units. */
    public static RunList changedChunks(IoEngine cow, long originSize) throws IOException {
        return changedChunks(cow, originSize, 0);
    }

    /**
     * As above, and the header's chunk size must equal {@code expectedChunkBytes} (the
     * snapshot table's), unless that is 0: a disagreement means the COW device is not this
     * snapshot's, and its exceptions would name the wrong chunks.
     */
    public static RunList changedChunks(IoEngine cow, long originSize, long expectedChunkBytes) throws IOException {
        ExceptionStoreWalker walker = new ExceptionStoreWalker(cow, originSize);
        CowHeader header = walker.readHeader();
        if (expectedChunkBytes != 0 && header.chunkBytes() != expectedChunkBytes) {
            throw new CorruptMetadataException(cow.name(), 0, "chunk_size", "the exception store header says "
                    + header.chunkBytes() + "-byte chunks but the snapshot's table says " + expectedChunkBytes
                    + "; the COW device does not belong to this snapshot as loaded: check 'lvs -a' and take a new snapshot");
        }
        RunList.Builder builder = RunList.builder(header.chunkBytes());
        Summary summary = walker.walk(header, builder::add);
        RunList runs = builder.build();
        Log.verbose(String.format("%s: %d exceptions in %d areas, chunk %d bytes -> %d runs, %d bytes changed",
                cow.name(), summary.exceptions(), summary.areasRead(), header.chunkBytes(),
                runs.runCount(), runs.totalBytes()));
        return runs;
    }

    public CowHeader readHeader() throws IOException {
        long size = cow.size();
        if (size < CowHeader.BYTES) {
            throw new CorruptMetadataException(cow.name(), 0, "header",
                    "the device holds only " + size + " bytes, too short for an exception store header");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(ALIGN, ALIGN);
            if (cow.read(buf, 0) < CowHeader.BYTES) {
                throw truncated(0, "header", CowHeader.BYTES, size);
            }
            CowHeader header = CowHeader.read(buf, 0).validate(cow.name());
            if (size < header.chunkBytes()) {
                throw truncated(0, "header", header.chunkBytes(), size);
            }
            return header;
        }
    }

    /** Feeds the old_chunk of every exception, in on-disk order, to {@code oldChunks}. */
    public Summary walk(CowHeader header, LongConsumer oldChunks) throws IOException {
        long chunkBytes = header.chunkBytes();
        long epa = CowGeometry.exceptionsPerArea(chunkBytes);
        cowChunks = cow.size() / chunkBytes;
        long[] exceptions = {0};
        long[] area = {0};
        long window = alignUp(chunkBytes) + ALIGN;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment again = AlignedBuffer.allocate(arena, window); // for an area past the old end
            // After a full area the kernel zeroes the next one on disk before it commits the
            // full one, so the next area must exist: its absence is a truncation.
            cow.readMany(areaReads(chunkBytes, epa), window, (read, data) -> {
                long chunk = CowGeometry.areaChunk(area[0], epa);
                MemorySegment records = areaRecords(read, data, again, chunk, chunkBytes);
                long used = scanArea(records, area[0], chunk, epa, oldChunks);
                exceptions[0] += used;
                area[0]++;
                return used == epa;
            });
        }
        return new Summary(header, exceptions[0], area[0]);
    }

    /**
     * The aligned read that holds each metadata area, in order, without end: the walk stops
     * at the first area that is not full. Chunks smaller than 4 KiB need not start on a
     * 4 KiB boundary, so the read is the aligned window around the area.
     */
    private static Iterator<IoEngine.Read> areaReads(long chunkBytes, long epa) {
        return new Iterator<>() {
            private long area;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public IoEngine.Read next() {
                long offset = CowGeometry.areaChunk(area++, epa) * chunkBytes;
                long start = offset & -ALIGN;
                return new IoEngine.Read(start, alignUp(offset + chunkBytes) - start);
            }
        };
    }

    /**
     * Returns the number of records in use (epa when the area is full). The checks are
     * kept cheap, since a full 10 GiB store has 2.6 million records: the chunks an area's
     * own data chunks span need no division to tell them from metadata, and the origin's
     * size in chunks is worked out once.
     */
    private long scanArea(MemorySegment records, long area, long chunk, long epa, LongConsumer oldChunks)
            throws IOException {
        long chunkBytes = records.byteSize();
        long originChunks = ceilDiv(originSize, chunkBytes);
        long ownFirst = chunk + 1;
        long ownLast = chunk + epa;
        for (long i = 0; i < epa; i++) {
            long oldChunk = records.get(LE_LONG, i * CowGeometry.EXCEPTION_BYTES);
            long newChunk = records.get(LE_LONG, i * CowGeometry.EXCEPTION_BYTES + 8);
            if (newChunk == 0) {
                return i;
            }
            boolean own = newChunk >= ownFirst && newChunk <= ownLast;
            if (!own || newChunk >= cowChunks) {
                checkNewChunk(area, chunk, i, newChunk, epa, chunkBytes);
            }
            if (oldChunk < 0 || oldChunk >= originChunks) {
                throw new CorruptMetadataException(cow.name(), chunk, field(area, i, "old_chunk"),
                        "origin chunk " + Long.toUnsignedString(oldChunk) + " lies beyond the origin ("
                                + originSize + " bytes = " + originChunks + " chunks of " + chunkBytes
                                + "): wrong origin or damaged store");
            }
            oldChunks.accept(oldChunk);
        }
        return epa;
    }

    private void checkNewChunk(long area, long chunk, long slot, long newChunk, long epa, long chunkBytes)
            throws IOException {
        if (Long.compareUnsigned(newChunk, cowChunks) >= 0 && !grownTo(newChunk, chunkBytes)) {
            throw new CorruptMetadataException(cow.name(), chunk, field(area, slot, "new_chunk"),
                    "points to COW chunk " + Long.toUnsignedString(newChunk) + " but the device holds only "
                            + cowChunks + " chunks: the COW device is shorter than its metadata claims (truncated copy?)");
        }
        if (CowGeometry.isMetadataChunk(newChunk, epa)) {
            throw new CorruptMetadataException(cow.name(), chunk, field(area, slot, "new_chunk"),
                    "points to COW chunk " + newChunk + ", which is a header or metadata chunk");
        }
    }

    /**
     * The slice of a completed area read that holds the area's records. A short read is a
     * truncation, unless the device grew since: then the area is read again, into {@code again}.
     */
    private MemorySegment areaRecords(IoEngine.Read read, MemorySegment data, MemorySegment again, long chunk,
                                      long chunkBytes) throws IOException {
        long offset = chunk * chunkBytes;
        if (read.offset() + data.byteSize() < offset + chunkBytes) {
            if (!grownTo(chunk, chunkBytes)) {
                throw truncated(chunk, "metadata area", offset + chunkBytes, cow.size());
            }
            long got = cow.read(again.asSlice(0, read.length()), read.offset());
            if (read.offset() + got < offset + chunkBytes) {
                throw truncated(chunk, "metadata area", offset + chunkBytes, cow.size());
            }
            data = again;
        }
        return data.asSlice(offset - read.offset(), chunkBytes);
    }

    /**
     * True when the device holds COW chunk {@code chunk}, asking it for its size again
     * if it did not when last looked at (a COW autoextended during the walk).
     */
    private boolean grownTo(long chunk, long chunkBytes) throws IOException {
        if (chunk < 0 || chunk >= Long.MAX_VALUE / chunkBytes) {
            return false;
        }
        if (chunk >= cowChunks) {
            long before = cow.size();
            if (cow.grow()) {
                cowChunks = cow.size() / chunkBytes;
                Log.verbose(cow.name() + ": the COW device grew from " + before + " to " + cow.size()
                        + " bytes while it was read (autoextend); reading on");
            }
        }
        return chunk < cowChunks;
    }

    private CorruptMetadataException truncated(long chunk, String what, long needed, long size) {
        return new CorruptMetadataException(cow.name(), chunk, what,
                "needs the device to hold " + needed + " bytes but it holds only " + size
                        + ": the COW device is shorter than its metadata claims (truncated copy?)");
    }

    private static String field(long area, long slot, String name) {
        return "area " + area + " exception " + slot + " " + name;
    }

    private static long alignUp(long v) {
        return (v + ALIGN - 1) & -ALIGN;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
