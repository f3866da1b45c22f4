package org.lvmsync.apply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvmsync.apply.StreamFiles.random;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.job.ApplyJob;
import org.lvmsync.job.ApplyRequest;
import org.lvmsync.LvmsyncException;
import org.lvmsync.apply.StreamFiles.Rec;
import org.lvmsync.stream.CorruptStreamException;

/** --apply and --snapback onto image files (regular files stand in for devices). */
class ApplyImageTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream savedLog;

    @BeforeEach
    void captureLog() {
        savedLog = Log.stream();
        Log.setStream(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLog() {
        Log.setStream(savedLog);
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    private Path image(byte[] content) throws IOException {
        return Files.write(dir.resolve("disk.img"), content);
    }

    private void apply(List<Rec> records, Path dest, Path snapback) throws IOException {
        Path stream = StreamFiles.write(Files.createTempFile(dir, "changes", ".lvmsync"), records);
        ApplyJob.run(new ApplyRequest(stream.toString(), dest, Optional.ofNullable(snapback), false));
    }

    @Test
    void appliesRecordsAndSnapbackRollsBack() throws IOException {
        Random rnd = new Random(1);
        byte[] original = random(rnd, 1 << 20);
        Path img = image(original);
        List<Rec> records = List.of(new Rec(8192, random(rnd, 4096)), new Rec(0, random(rnd, 512)),
                new Rec(100_001, random(rnd, 7)), new Rec((1 << 20) - 4096, random(rnd, 4096)));
        Path undo = dir.resolve("undo");
        apply(records, img, undo);
        assertArrayEquals(StreamFiles.model(original, records), Files.readAllBytes(img));
        assertTrue(log().startsWith("Applied 4 records (8711 bytes) to " + img + " in "), log());

        // the snapback file is the same format, records in the same order, holding old bytes
        List<Rec> saved = StreamFiles.read(undo);
        assertEquals(records.size(), saved.size());
        for (int i = 0; i < records.size(); i++) {
            long off = records.get(i).offset();
            assertEquals(off, saved.get(i).offset());
            assertArrayEquals(Arrays.copyOfRange(original, (int) off, (int) off + records.get(i).data().length),
                    saved.get(i).data());
        }
        assertTrue(new String(Files.readAllBytes(undo), 0, 17, StandardCharsets.US_ASCII).equals("lvmsync PROTO[3]\n"));

        ApplyJob.run(new ApplyRequest(undo.toString(), img, Optional.empty(), false));
        assertArrayEquals(original, Files.readAllBytes(img));
    }

    @Test
    void overlappingRecordsAreUndoneExactlyInAnyOrder() throws IOException {
        Random rnd = new Random(2);
        byte[] original = random(rnd, 256 * 1024);
        List<Rec> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int len = 1 + rnd.nextInt(9000);
            records.add(new Rec(rnd.nextInt(original.length - len), random(rnd, len)));
        }
        records.add(new Rec(1000, random(rnd, 50_000)));   // covers many earlier ones whole
        Path img = image(original);
        Path undo = dir.resolve("undo");
        apply(records, img, undo);
        assertArrayEquals(StreamFiles.model(original, records), Files.readAllBytes(img));
        assertTrue(log().contains("records overlap"), log());

        List<Rec> saved = new ArrayList<>(StreamFiles.read(undo));
        assertDisjoint(saved);
        // file order restores ...
        byte[] afterApply = Files.readAllBytes(img);
        assertArrayEquals(original, StreamFiles.model(afterApply, saved));
        // ... and so does any other order, since the records are disjoint pre-images
        Collections.shuffle(saved, rnd);
        Path shuffled = StreamFiles.write(dir.resolve("undo-shuffled"), saved);
        ApplyJob.run(new ApplyRequest(shuffled.toString(), img, Optional.empty(), false));
        assertArrayEquals(original, Files.readAllBytes(img));
    }

    private static void assertDisjoint(List<Rec> records) {
        List<Rec> sorted = new ArrayList<>(records);
        sorted.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        for (int i = 1; i < sorted.size(); i++) {
            Rec prev = sorted.get(i - 1);
            assertTrue(prev.offset() + prev.data().length <= sorted.get(i).offset(), "snapback records overlap");
        }
    }

    @Test
    void manySmallRecordsSpanSeveralBatches() throws IOException {
        Random rnd = new Random(3);
        int size = 16 << 20;
        byte[] original = random(rnd, size);
        List<Rec> records = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {   // ~12 MiB of 4 KiB records: three batches
            records.add(new Rec(4096L * rnd.nextInt(size / 4096), random(rnd, 4096)));
        }
        Path img = image(original);
        Path undo = dir.resolve("undo");
        apply(records, img, undo);
        assertArrayEquals(StreamFiles.model(original, records), Files.readAllBytes(img));
        ApplyJob.run(new ApplyRequest(undo.toString(), img, Optional.empty(), false));
        assertArrayEquals(original, Files.readAllBytes(img));
    }

    @Test
    void recordsLongerThanTheStagingBufferAreSplit() throws IOException {
        Random rnd = new Random(4);
        byte[] original = random(rnd, 12 << 20);
        List<Rec> records = List.of(new Rec(12345, random(rnd, (9 << 20) + 3)), new Rec(0, random(rnd, 4096)));
        Path img = image(original);
        Path undo = dir.resolve("undo");
        apply(records, img, undo);
        assertArrayEquals(StreamFiles.model(original, records), Files.readAllBytes(img));
        ApplyJob.run(new ApplyRequest(undo.toString(), img, Optional.empty(), false));
        assertArrayEquals(original, Files.readAllBytes(img));
    }

    @Test
    void imageKeepsItsSizeUnlessARecordExtendsIt() throws IOException {
        byte[] original = random(new Random(5), 10_000);
        Path img = image(original);
        apply(List.of(new Rec(0, new byte[] {1, 2, 3})), img, null);
        assertEquals(10_000, Files.size(img));
        Path undo = dir.resolve("undo");
        List<Rec> grow = List.of(new Rec(9000, random(new Random(6), 2000)));
        apply(grow, img, undo);
        assertEquals(11_000, Files.size(img));
        // the bytes that did not exist are saved as zeros: a rollback restores the content
        // and leaves zeros after the old end (the format cannot express truncation)
        ApplyJob.run(new ApplyRequest(undo.toString(), img, Optional.empty(), false));
        byte[] expected = Arrays.copyOf(StreamFiles.model(original, List.of(new Rec(0, new byte[] {1, 2, 3}))), 11_000);
        assertArrayEquals(expected, Files.readAllBytes(img));
    }

    @Test
    void existingSnapbackFileIsNeverOverwritten() throws IOException {
        byte[] original = random(new Random(7), 8192);
        Path img = image(original);
        Path undo = Files.writeString(dir.resolve("undo"), "precious");
        LvmsyncException e = assertThrows(LvmsyncException.class,
                () -> apply(List.of(new Rec(0, new byte[] {9})), img, undo));
        assertEquals("snapback file " + undo + " already exists; give a new name (an undo file is never overwritten)",
                e.getMessage());
        assertEquals("precious", Files.readString(undo));
        assertArrayEquals(original, Files.readAllBytes(img));
    }

    @Test
    void truncatedStreamWritesTheRecordsBeforeTheCutAndFails() throws IOException {
        byte[] original = new byte[8192];
        Path img = image(original);
        byte[] stream = StreamFiles.encode(List.of(new Rec(0, new byte[] {1, 1}), new Rec(4096, new byte[100])));
        Path cut = Files.write(dir.resolve("cut"), Arrays.copyOf(stream, stream.length - 1));
        Path undo = dir.resolve("undo");
        CorruptStreamException e = assertThrows(CorruptStreamException.class,
                () -> ApplyJob.run(new ApplyRequest(cut.toString(), img, Optional.of(undo), false)));
        assertEquals("corrupt change stream " + cut + ": record 2 at stream byte 31: payload cut short:"
                + " the stream ends at byte 142 after 99 of 100 payload bytes", e.getMessage());
        byte[] expected = original.clone();
        expected[0] = 1;
        expected[1] = 1;
        assertArrayEquals(expected, Files.readAllBytes(img));
        assertEquals(1, StreamFiles.read(undo).size());
        // the run did not complete: no summary that says it did
        assertFalse(log().contains("Applied"), log());
    }

    @Test
    void garbageOffsetsDoNotGrowAnImageToExabytes() throws IOException {
        Path img = image(new byte[4096]);
        // 4096 written little-endian, read big-endian: 2^52
        LvmsyncException e = assertThrows(LvmsyncException.class,
                () -> apply(List.of(new Rec(0, new byte[] {5}), new Rec(1L << 52, new byte[4096])), img, null));
        assertEquals(FailureClass.BAD_INPUT, e.failureClass());
        assertTrue(e.getMessage().contains("record 2 at stream byte 30: record at offset 4503599627370496 (length 4096)"
                + " ends beyond 1 PiB, the limit for image files; nothing of it was written (an offset this large"
                + " suggests a little-endian stream of lvmsync 3.0.x"), e.getMessage());
        assertEquals(4096, Files.size(img));
        assertEquals(5, Files.readAllBytes(img)[0]);
    }

    @Test
    void inProcessSinkForLocalSync() throws IOException {
        Random rnd = new Random(8);
        byte[] original = random(rnd, 64 * 1024);
        Path img = image(original);
        byte[] a = random(rnd, 4096);
        try (Applier sink = Applier.open(img, Optional.of(dir.resolve("undo")), false)) {
            assertEquals(original.length, sink.destinationSize());
            sink.data(4096, MemorySegment.ofArray(a));
            sink.finish();
            assertEquals(1, sink.records());
            assertEquals(4096, sink.bytes());
        }
        assertArrayEquals(a, Arrays.copyOfRange(Files.readAllBytes(img), 4096, 8192));
    }

    @Test
    void missingDestinationIsNamed() {
        Path missing = dir.resolve("nope.img");
        IOException e = assertThrows(IOException.class, () -> apply(List.of(new Rec(0, new byte[1])), missing, null));
        assertTrue(e.getMessage().startsWith("open " + missing + ": No such file or directory"), e.getMessage());
        assertFalse(Files.exists(missing));
    }
}
