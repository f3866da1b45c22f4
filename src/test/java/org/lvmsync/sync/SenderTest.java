package org.lvmsync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.changes.RunList;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.PreadEngine;
import org.lvmsync.report.Progress;

class SenderTest {
    private static final int SIZE = 24 << 20;
    private static byte[] content;
    private static Path file;

    @BeforeAll
    static void makeSource() throws IOException {
        content = TestFiles.random(SIZE, 1234);
        file = TestFiles.file("sender-source", content);
    }

    @AfterAll
    static void removeSource() throws IOException {
        Files.deleteIfExists(file);
    }

    private static RunList runs(long unit, long... units) {
        RunList.Builder b = RunList.builder(unit);
        for (long u : units) {
            b.add(u);
        }
        return b.build();
    }

    /** What a correct transfer of {@code runs} leaves on a zeroed destination. */
    private static byte[] expected(RunList runs, int size) throws IOException {
        byte[] image = new byte[size];
        runs.forEach((offset, length) -> {
            int end = (int) Math.min(offset + length, content.length);
            System.arraycopy(content, (int) offset, image, (int) offset, end - (int) offset);
        });
        return image;
    }

    private static CollectingSink send(Path source, RunList runs, long io, long record) throws IOException {
        CollectingSink sink = new CollectingSink();
        try (PreadEngine reader = PreadEngine.open(source)) {
            long sent = new Sender(reader, reader.size(), sink, Progress.silent(runs.totalBytes()), io, record).send(runs);
            assertEquals(sink.records.stream().mapToLong(r -> r.data().length).sum(), sent);
        }
        return sink;
    }

    private static void checkRecords(CollectingSink sink, long maxRecord) {
        long prevEnd = -1;
        for (CollectingSink.Rec r : sink.records) {
            assertTrue(r.data().length > 0 && r.data().length <= maxRecord, "record length " + r.data().length);
            assertTrue(r.offset() >= prevEnd, "records ascend without overlap");
            prevEnd = r.offset() + r.data().length;
        }
    }

    @Test
    void sourceIsReadWithODirectOnARealFilesystem() throws IOException {
        try (PreadEngine reader = PreadEngine.open(file)) {
            assertTrue(reader.isDirect(), "target/ should take O_DIRECT");
            assertEquals(SIZE, reader.size());
        }
    }

    @Test
    void bufferedFallbackReadsTheSame() throws IOException {
        RunList runs = runs(4096, 0, 1, 2, 700, 701, 6143);
        CollectingSink sink = new CollectingSink();
        try (PreadEngine reader = PreadEngine.open(file, false)) {
            assertTrue(!reader.isDirect());
            new Sender(reader, reader.size(), sink, Progress.silent(runs.totalBytes())).send(runs);
        }
        assertArrayEquals(expected(runs, SIZE), sink.applyTo(SIZE));
    }

    @Test
    void missingSourceIsAnErrnoMessage() {
        IOException e = assertThrows(IOException.class, () -> PreadEngine.open(Path.of("target/no-such-device")));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }

    @Test
    void emptyRunListSendsNothing() throws IOException {
        assertTrue(send(file, RunList.empty(4096), Sender.IO_BYTES, Sender.MAX_RECORD).records.isEmpty());
    }

    @Test
    void scatteredChunksArriveIntact() throws IOException {
        RunList runs = runs(4096, 0, 1, 2, 7, 40, 41, 300, 301, 302, 303, 5000, 6143);
        CollectingSink sink = send(file, runs, Sender.IO_BYTES, Sender.MAX_RECORD);
        checkRecords(sink, Sender.MAX_RECORD);
        assertArrayEquals(expected(runs, SIZE), sink.applyTo(SIZE));
        // runs stay separate records even when read together
        assertEquals(runs.runCount(), sink.records.size());
    }

    @Test
    void longRunIsSplitIntoBoundedRecordsAcrossReads() throws IOException {
        // 20 MiB contiguous from 1 MiB: five 4 MiB reads, twenty 1 MiB records
        RunList runs = runs(65536, java.util.stream.LongStream.range(16, 16 + 320).toArray());
        CollectingSink sink = send(file, runs, Sender.IO_BYTES, Sender.MAX_RECORD);
        checkRecords(sink, Sender.MAX_RECORD);
        assertEquals(20, sink.records.size());
        assertArrayEquals(expected(runs, SIZE), sink.applyTo(SIZE));
    }

    @Test
    void smallBuffersExerciseWindowBoundaries() throws IOException {
        long[] units = java.util.stream.LongStream.range(0, 1500).filter(u -> u % 7 != 0 && u % 11 != 3).toArray();
        RunList runs = runs(4096, units);
        for (long io : new long[] {4096, 8192, 12288, 65536}) {
            for (long record : new long[] {512, 4096, io}) {
                if (record > io) {
                    continue;
                }
                CollectingSink sink = send(file, runs, io, record);
                checkRecords(sink, record);
                assertArrayEquals(expected(runs, SIZE), sink.applyTo(SIZE), "io " + io + " record " + record);
            }
        }
    }

    /** Runs read together (LVMSYNC_READ_GAP) send exactly the records of runs read apart, in fewer reads. */
    @Test
    void runsWithinTheReadGapAreReadTogetherAndSentApart() throws IOException {
        RunList runs = runs(4096, 0, 2, 3, 9, 40, 41, 300, 301, 302, 310, 1100, 1101, 6143);
        for (long io : new long[] {8192, 65536, Sender.IO_BYTES}) {
            List<String> apart = null;
            for (long gap : new long[] {0, 4096, 8192, 65536, Sender.IO_BYTES}) {
                CollectingSink sink = new CollectingSink();
                List<IoEngine.Read> reads = new java.util.ArrayList<>();
                try (PreadEngine reader = PreadEngine.open(file)) {
                    IoEngine counting = new CountingEngine(reader, reads);
                    long sent = new Sender(counting, reader.size(), sink, Progress.silent(runs.totalBytes()), io, 4096, gap)
                            .send(runs);
                    assertEquals(runs.totalBytes(), sent);
                }
                String what = "io " + io + " gap " + gap;
                List<String> records = sink.records.stream().map(r -> r.offset() + "+" + Arrays.hashCode(r.data())).toList();
                if (apart == null) {
                    apart = records;
                }
                assertEquals(apart, records, what + ": the records of runs read apart");
                assertArrayEquals(expected(runs, SIZE), sink.applyTo(SIZE), what);
                for (IoEngine.Read r : reads) {
                    assertTrue(r.length() <= io, what + ": read " + r);
                }
                if (gap == 0 && io == Sender.IO_BYTES) {
                    assertEquals(runs.runCount(), reads.size(), what);
                }
                if (gap == 8192 && io == Sender.IO_BYTES) {
                    // 0 | 2-3 | 9 | 40-41 | 300-302 | 310 | 1100-1101 | 6143: gaps of 1 chunk join 0 with 2-3
                    assertEquals(List.of(new IoEngine.Read(0, 4 * 4096), new IoEngine.Read(9 * 4096, 4096),
                            new IoEngine.Read(40 * 4096, 2 * 4096), new IoEngine.Read(300 * 4096, 3 * 4096),
                            new IoEngine.Read(310 * 4096, 4096), new IoEngine.Read(1100 * 4096, 2 * 4096),
                            new IoEngine.Read(6143 * 4096, 4096)), reads, what);
                }
                if (gap == Sender.IO_BYTES && io == Sender.IO_BYTES) {
                    // chunks 0-310 in one read; 1100-1101 would pass its 4 MiB, and start the next
                    assertEquals(List.of(new IoEngine.Read(0, 311 * 4096), new IoEngine.Read(1100 * 4096, 2 * 4096),
                            new IoEngine.Read(6143 * 4096, 4096)), reads, what);
                }
            }
        }
    }

    /** Records the reads the sender plans, passing them on. */
    private record CountingEngine(IoEngine engine, List<IoEngine.Read> reads) implements IoEngine {
        public String name() { return engine.name(); }
        public long size() { return engine.size(); }
        public boolean grow() throws IOException { return engine.grow(); }
        public boolean isDirect() { return engine.isDirect(); }
        public int queueDepth() { return engine.queueDepth(); }
        public long read(java.lang.foreign.MemorySegment dst, long offset) throws IOException { return engine.read(dst, offset); }
        public void close() throws IOException { engine.close(); }
        public void readMany(java.util.Iterator<Read> plan, long maxLength, ReadHandler handler) throws IOException {
            engine.readMany(new java.util.Iterator<>() {
                public boolean hasNext() { return plan.hasNext(); }
                public Read next() {
                    Read r = plan.next();
                    reads.add(r);
                    return r;
                }
            }, maxLength, handler);
        }
    }

    @Test
    void halfKibChunksAreNotAligned() throws IOException {
        RunList runs = runs(512, 1, 2, 9, 17, 18, 19, 20, 4095, 10000);
        CollectingSink sink = send(file, runs, 8192, 4096);
        assertArrayEquals(expected(runs, SIZE), sink.applyTo(SIZE));
    }

    @Test
    void partialLastChunkIsCutAtTheEndOfTheSource() throws IOException {
        // a source of 3 chunks + 1000 bytes, like an origin not a multiple of the chunk size
        int size = 3 * 65536 + 1000;
        Path small = TestFiles.file("sender-partial", Arrays.copyOf(content, size));
        try {
            RunList runs = runs(65536, 1, 3);
            CollectingSink sink = send(small, runs, Sender.IO_BYTES, Sender.MAX_RECORD);
            assertEquals(2, sink.records.size());
            assertEquals(3 * 65536, sink.records.get(1).offset());
            assertEquals(1000, sink.records.get(1).data().length);
            assertArrayEquals(Arrays.copyOfRange(content, 3 * 65536, size), sink.records.get(1).data());
        } finally {
            Files.delete(small);
        }
    }

    @Test
    void runPastTheEndOfTheOriginIsAnError() throws IOException {
        RunList runs = runs(4096, 1, SIZE / 4096 + 5);
        LvmsyncException e = assertThrows(LvmsyncException.class,
                () -> send(file, runs, Sender.IO_BYTES, Sender.MAX_RECORD));
        assertEquals(FailureClass.BAD_INPUT, e.failureClass());
        assertTrue(e.getMessage().contains("lies past the end of the origin"), e.getMessage());
    }

    /**
     * Defect 4 of issue 10: a --data-source smaller than the origin cut the changed runs at
     * its end and exited 0 with the destination different from the origin. Refused before
     * anything is sent, even when every changed run lies inside it (the check is of sizes).
     */
    @Test
    void aDataSourceSmallerThanTheOriginIsRefusedBeforeAnythingIsSent() throws IOException {
        for (RunList runs : List.of(runs(4096, 3, SIZE / 4096 - 1, SIZE / 4096), runs(4096, 3))) {
            CollectingSink sink = new CollectingSink();
            try (PreadEngine reader = PreadEngine.open(file)) {
                LvmsyncException e = assertThrows(LvmsyncException.class,
                        () -> new Sender(reader, SIZE + 8192, sink, Progress.silent(runs.totalBytes())).send(runs));
                assertEquals(FailureClass.USAGE, e.failureClass());
                assertEquals("the data source " + file + " (" + SIZE + " bytes) is smaller than the origin ("
                        + (SIZE + 8192) + " bytes): changes past its end could not be sent; read from a device at"
                        + " least as large as the origin", e.getMessage());
            }
            assertTrue(sink.records.isEmpty(), "nothing was sent");
        }
    }

    @Test
    void aLargerDataSourceSendsOnlyTheOriginsRange() throws IOException {
        // the origin has 3 chunks and 1000 bytes; the source is larger: the last run is cut at the origin's end
        int origin = 3 * 65536 + 1000;
        CollectingSink sink = new CollectingSink();
        try (PreadEngine reader = PreadEngine.open(file)) {
            new Sender(reader, origin, sink, Progress.silent(2 * 65536)).send(runs(65536, 1, 3));
        }
        assertEquals(1000, sink.records.get(sink.records.size() - 1).data().length);
    }

    @Test
    void sendCommandFinishesTheSinkAndReports() throws IOException {
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = org.lvmsync.Log.stream();
        org.lvmsync.Log.setStream(new java.io.PrintStream(messages, true));
        try {
            CollectingSink sink = new CollectingSink();
            long sent = org.lvmsync.job.SendJob.send(runs(4096, 3, 4, 5), file, sink);
            assertEquals(3 * 4096, sent);
            assertTrue(sink.finished);
            String out = messages.toString();
            assertTrue(out.contains("Transferred 12288 bytes in "), out);
            assertTrue(out.contains("You transferred your changes 2048.0x faster than a full dd!"), out);
        } finally {
            org.lvmsync.Log.setStream(saved);
        }
    }
}
