package org.lvmsync.cow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.SegmentEngine;
import org.lvmsync.changes.CorruptMetadataException;
import org.lvmsync.FailureClass;
import org.lvmsync.changes.RunList;

class ExceptionStoreWalkerTest {
    private static final long ORIGIN = 1L << 40;

    private static IoEngine device(byte[] image) {
        return new SegmentEngine("test-cow", MemorySegment.ofArray(image));
    }

    private static RunList changes(byte[] image) throws IOException {
        return ExceptionStoreWalker.changedChunks(device(image), ORIGIN);
    }

    private static long[][] runs(RunList list) throws IOException {
        List<long[]> out = new ArrayList<>();
        list.forEach((o, l) -> out.add(new long[] {o, l}));
        return out.toArray(new long[0][]);
    }

    private static long[] walkOrder(byte[] image) throws IOException {
        ExceptionStoreWalker walker = new ExceptionStoreWalker(device(image), ORIGIN);
        LongStream.Builder seen = LongStream.builder();
        walker.walk(walker.readHeader(), seen::add);
        return seen.build().toArray();
    }

    @Test
    void emptyStoreHasNoChanges() throws IOException {
        RunList runs = changes(new CowImage(4096).build());
        assertTrue(runs.isEmpty());
        assertEquals(4096, runs.unitBytes());
    }

    @Test
    void fewExceptionsIn4KibChunks() throws IOException {
        byte[] image = new CowImage(4096).build(7, 3, 8, 100, 2);
        assertArrayEquals(new long[] {7, 3, 8, 100, 2}, walkOrder(image));
        assertArrayEquals(new long[][] {{2 * 4096, 2 * 4096}, {7 * 4096, 2 * 4096}, {100 * 4096, 4096}},
                runs(changes(image)));
    }

    @Test
    void fullAreaContinuesWithTheNext() throws IOException {
        long[] old = LongStream.range(0, 256 + 10).map(i -> 3 * i).toArray();
        long[] seen = walkOrder(new CowImage(4096).build(old));
        assertArrayEquals(old, seen);
    }

    @Test
    void exactlyFullAreaEndsAtTheZeroedNextArea() throws IOException {
        long[] old = LongStream.range(0, 512).map(i -> 511 - i).toArray();
        byte[] image = new CowImage(4096).build(old);
        assertEquals(512, walkOrder(image).length);
        assertArrayEquals(new long[][] {{0, 512 * 4096}}, runs(changes(image)));
    }

    @Test
    void sixtyFourKibChunksSpanTwoAreas() throws IOException {
        long[] old = LongStream.range(0, 5000).map(i -> (i * 7919) % 20000).toArray();
        byte[] image = new CowImage(65536).build(old);
        assertArrayEquals(old, walkOrder(image));
        RunList runs = changes(image);
        assertEquals(65536, runs.unitBytes());
        assertEquals(5000L * 65536, runs.totalBytes());
    }

    @Test
    void halfKibChunksNeedUnalignedAreas() throws IOException {
        // 512-byte chunks: epa 32, area 1 at chunk 34 = byte 17408, not 4 KiB aligned
        long[] old = LongStream.range(0, 70).toArray();
        byte[] image = new CowImage(512).build(old);
        assertArrayEquals(old, walkOrder(image));
        assertArrayEquals(new long[][] {{0, 70 * 512}}, runs(changes(image)));
    }

    @Test
    void recordsAfterTheEndMarkerAreIgnored() throws IOException {
        CowImage cow = new CowImage(4096);
        byte[] image = cow.build(1, 2, 3);
        // stale garbage in slot 5, after the terminating slot 3
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN)
                .putLong((int) cow.recordOffset(5), 999).putLong((int) cow.recordOffset(5) + 8, 9);
        assertArrayEquals(new long[] {1, 2, 3}, walkOrder(image));
    }

    @Test
    void corruptHeaderFieldsAreReported() {
        CowImage badMagic = new CowImage(4096);
        badMagic.magic = 0;
        CowImage invalid = new CowImage(4096);
        invalid.valid = 0;
        CowImage version = new CowImage(4096);
        version.version = 2;
        assertEquals("magic", assertThrows(CorruptMetadataException.class, () -> changes(badMagic.build(1))).field());
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class, () -> changes(invalid.build(1)));
        assertEquals(FailureClass.SNAPSHOT_UNUSABLE, e.failureClass());
        assertTrue(e.getMessage().contains("take a new snapshot"), e.getMessage());
        assertEquals("version", assertThrows(CorruptMetadataException.class, () -> changes(version.build(1))).field());
    }

    @Test
    void deviceTooShortForAHeader() {
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class, () -> changes(new byte[10]));
        assertEquals("header", e.field());
    }

    @Test
    void truncatedAfterAFullAreaIsCaught() {
        long[] old = LongStream.range(0, 256).toArray();
        byte[] image = new CowImage(4096).build(old);
        // cut inside area 1 (chunk 258): the area after the full area 0 is missing
        byte[] cut = Arrays.copyOf(image, 258 * 4096 + 100);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class, () -> changes(cut));
        assertEquals(258, e.block());
        assertTrue(e.getMessage().contains("shorter than its metadata claims"), e.getMessage());
        // cut exactly at area 1: just as missing
        byte[] atBoundary = Arrays.copyOf(image, 258 * 4096);
        assertEquals(258, assertThrows(CorruptMetadataException.class, () -> changes(atBoundary)).block());
    }

    @Test
    void truncatedDataChunksAreCaught() {
        byte[] image = new CowImage(4096).build(10, 11, 12, 13, 14);
        // data chunks 2..6; keep header, area 0 and chunks 2..3 only
        byte[] cut = Arrays.copyOf(image, 4 * 4096);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class, () -> changes(cut));
        assertEquals(1, e.block());
        assertEquals("area 0 exception 2 new_chunk", e.field());
        assertTrue(e.getMessage().contains("shorter than its metadata claims"), e.getMessage());
    }

    /**
     * A COW that LVM autoextends while the walk reads it: the device shows {@code visible}
     * bytes until the walk asks again, then all of the image.
     */
    private static final class GrowingCow implements IoEngine {
        private final byte[] image;
        private SegmentEngine now;
        int asked;

        GrowingCow(byte[] image, int visible) {
            this.image = image;
            this.now = new SegmentEngine("growing-cow", MemorySegment.ofArray(image).asSlice(0, visible));
        }

        public String name() {
            return now.name();
        }

        public long size() {
            return now.size();
        }

        public boolean grow() {
            asked++;
            boolean grew = now.size() < image.length;
            now = new SegmentEngine("growing-cow", MemorySegment.ofArray(image));
            return grew;
        }

        public boolean isDirect() {
            return true;
        }

        public int queueDepth() {
            return 4;
        }

        public long read(MemorySegment dst, long offset) {
            return now.read(dst, offset);
        }

        public void readMany(java.util.Iterator<Read> reads, long maxLength, ReadHandler handler) throws IOException {
            now.readMany(reads, maxLength, handler); // reads planned before a growth stay cut at the old end
        }

        public void close() {
        }
    }

    @Test
    void aCowThatGrewDuringTheWalkIsReadToItsNewEnd() throws IOException {
        // data chunks past the end as first seen
        byte[] image = new CowImage(4096).build(10, 11, 12, 13, 14);
        GrowingCow cow = new GrowingCow(image, 4 * 4096);
        RunList runs = ExceptionStoreWalker.changedChunks(cow, ORIGIN);
        assertEquals(5, runs.unitCount());
        assertEquals(1, cow.asked);
        // a whole metadata area past the end: 256 exceptions fill area 0, area 1 lies beyond
        long[] old = LongStream.range(0, 300).toArray();
        byte[] big = new CowImage(4096).build(old);
        GrowingCow longer = new GrowingCow(big, 258 * 4096);
        RunList all = ExceptionStoreWalker.changedChunks(longer, ORIGIN);
        assertEquals(300, all.unitCount());
        assertArrayEquals(new long[][] {{0, 300 * 4096}}, runs(all));
    }

    @Test
    void aCowThatDidNotGrowIsStillTruncated() {
        byte[] image = new CowImage(4096).build(10, 11, 12, 13, 14);
        GrowingCow cow = new GrowingCow(Arrays.copyOf(image, 4 * 4096), 4 * 4096);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                () -> ExceptionStoreWalker.changedChunks(cow, ORIGIN));
        assertEquals("area 0 exception 2 new_chunk", e.field());
        assertEquals(1, cow.asked);
    }

    @Test
    void newChunkPointingAtMetadataIsCorrupt() {
        CowImage cow = new CowImage(4096);
        byte[] image = cow.build(10, 11);
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putLong((int) cow.recordOffset(1) + 8, 1);
        assertEquals("area 0 exception 1 new_chunk",
                assertThrows(CorruptMetadataException.class, () -> changes(image)).field());
    }

    @Test
    void chunksBeyondTheOriginAreRefused() throws IOException {
        byte[] image = new CowImage(4096).build(3, 250);
        IoEngine cow = device(image);
        // origin of 250 chunks plus 512 bytes: chunk 250 is a partial last chunk, fine
        assertEquals(2, ExceptionStoreWalker.changedChunks(cow, 250L * 4096 + 512).runCount());
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                () -> ExceptionStoreWalker.changedChunks(cow, 250L * 4096));
        assertEquals("area 0 exception 1 old_chunk", e.field());
        assertTrue(e.getMessage().contains("beyond the origin"), e.getMessage());
    }
}
