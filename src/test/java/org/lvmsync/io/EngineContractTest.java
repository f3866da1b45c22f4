package org.lvmsync.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.ErrnoException;

/**
 * What every engine promises: results in plan order, short at the device end, stop on
 * false, every read in flight waited for however the plan ends. The queued engines run
 * at several depths, O_DIRECT and buffered; io_uring where the kernel has it.
 */
class EngineContractTest {
    private static final int SIZE = 1 << 20;
    @TempDir
    Path dir;

    private byte[] content() {
        byte[] b = new byte[SIZE + 1000];   // not a multiple of the alignment
        new Random(7).nextBytes(b);
        return b;
    }

    private List<IoEngine> engines(byte[] content) throws IOException {
        Path file = Files.write(dir.resolve("device.img"), content);
        List<IoEngine> engines = new ArrayList<>(List.of(PreadEngine.open(file), PreadEngine.open(file, false),
                new SegmentEngine("memory", MemorySegment.ofArray(content)),
                ThreadedEngine.open(file, 4), ThreadedEngine.open(file, 1, false), ThreadedEngine.open(file, 32)));
        if (uringWorks(file)) {
            engines.addAll(List.of(UringEngine.open(file, 4), UringEngine.open(file, 1), UringEngine.open(file, 32, false),
                    UringEngine.open(file, 64)));
        }
        return engines;
    }

    /** io_uring is optional (old kernels, containers): its engine is tested where it exists. */
    private static boolean uringWorks(Path file) throws IOException {
        try (UringEngine probe = UringEngine.open(file, 2)) {
            return probe.queueDepth() == 2;
        } catch (ErrnoException e) {
            System.err.println("EngineContractTest: io_uring not available here (" + e.getMessage() + ")");
            return false;
        }
    }

    private static Iterator<IoEngine.Read> reads(long... offsets) {
        return LongStream.of(offsets).mapToObj(o -> new IoEngine.Read(o, 8192)).iterator();
    }

    private static void assertContent(byte[] content, IoEngine engine, IoEngine.Read read, MemorySegment data) {
        long expected = Math.max(0, Math.min(read.length(), content.length - read.offset()));
        assertEquals(expected, data.byteSize(), engine.name() + " at " + read.offset());
        byte[] want = new byte[(int) expected];
        System.arraycopy(content, (int) Math.min(read.offset(), content.length), want, 0, want.length);
        assertArrayEquals(want, data.toArray(ValueLayout.JAVA_BYTE), engine + " at " + read.offset());
    }

    @Test
    void resultsComeInPlanOrderAndEndShortAtTheDeviceEnd() throws IOException {
        byte[] content = content();
        for (IoEngine engine : engines(content)) {
            try (engine) {
                List<Long> seen = new ArrayList<>();
                engine.readMany(reads(65536, 0, SIZE - 4096, SIZE + 4096), 8192, (read, data) -> {
                    seen.add(read.offset());
                    assertContent(content, engine, read, data);
                    return true;
                });
                assertEquals(List.of(65536L, 0L, (long) SIZE - 4096, (long) SIZE + 4096), seen, engine.toString());
            }
        }
    }

    /** Many reads of mixed sizes in random order: more than the depth and the buffer ring hold at once. */
    @Test
    void aLongPlanOfMixedSizesArrivesWholeAndInOrder() throws IOException {
        byte[] content = content();
        Random random = new Random(11);
        List<IoEngine.Read> plan = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            long offset = 4096L * random.nextInt(SIZE / 4096 + 1);
            plan.add(new IoEngine.Read(offset, 4096L * (1 + random.nextInt(16))));
        }
        for (IoEngine engine : engines(content)) {
            try (engine) {
                int[] at = {0};
                engine.readMany(plan.iterator(), 65536, (read, data) -> {
                    assertSame(plan.get(at[0]++), read, engine.toString());
                    assertContent(content, engine, read, data);
                    return true;
                });
                assertEquals(plan.size(), at[0], engine.toString());
            }
        }
    }

    @Test
    void aHandlerThatSaysStopGetsNoMore() throws IOException {
        for (IoEngine engine : engines(content())) {
            try (engine) {
                int[] calls = {0};
                engine.readMany(reads(0, 8192, 16384, 24576), 8192, (read, data) -> ++calls[0] < 2);
                assertEquals(2, calls[0], engine.toString());
                // the engine is usable again after a plan that was stopped
                engine.readMany(reads(0), 8192, (read, data) -> ++calls[0] > 0);
                assertEquals(3, calls[0], engine.toString());
            }
        }
    }

    /** An endless plan (the COW walk's) is pulled only as far as the handler goes. */
    @Test
    void anEndlessPlanIsPulledLazily() throws IOException {
        for (IoEngine engine : engines(content())) {
            try (engine) {
                long[] pulled = {0};
                Iterator<IoEngine.Read> endless = new Iterator<>() {
                    public boolean hasNext() {
                        return true;
                    }

                    public IoEngine.Read next() {
                        return new IoEngine.Read(4096 * pulled[0]++, 4096);
                    }
                };
                int[] calls = {0};
                engine.readMany(endless, 4096, (read, data) -> ++calls[0] < 10);
                assertEquals(10, calls[0]);
                assertTrue(pulled[0] <= 10 + engine.queueDepth(), engine + " pulled " + pulled[0]);
            }
        }
    }

    @Test
    void aHandlerFailureComesOutAfterTheReadsInFlightEnded() throws IOException {
        for (IoEngine engine : engines(content())) {
            try (engine) {
                UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> engine.readMany(
                        reads(0, 8192, 16384, 24576, 32768), 8192, (read, data) -> {
                            throw new UncheckedIOException(new IOException("sink failed"));
                        }));
                assertEquals("sink failed", e.getCause().getMessage());
                int[] calls = {0};
                engine.readMany(reads(8192), 8192, (read, data) -> ++calls[0] > 0);
                assertEquals(1, calls[0], engine.toString());
            }
        }
    }

    @Test
    void aReadLongerThanThePlanSaysIsRefused() throws IOException {
        for (IoEngine engine : engines(content())) {
            try (engine) {
                assertThrows(IllegalArgumentException.class,
                        () -> engine.readMany(reads(0), 4096, (read, data) -> true), engine.toString());
            }
        }
    }

    @Test
    void anEngineReadsPastTheOldEndOnceTheDeviceGrew() throws IOException {
        byte[] content = content();
        Path file = Files.write(dir.resolve("growing.img"), java.util.Arrays.copyOf(content, 8192));
        List<IoEngine> engines = new ArrayList<>(List.of(PreadEngine.open(file), ThreadedEngine.open(file, 4)));
        if (uringWorks(file)) {
            engines.add(UringEngine.open(file, 4));
        }
        Files.write(file, content);
        for (IoEngine engine : engines) {
            try (engine) {
                assertEquals(8192, engine.size());
                engine.readMany(reads(8192), 8192, (read, data) -> {
                    assertEquals(0, data.byteSize(), "cut at the end as it was at open");
                    return true;
                });
                assertTrue(engine.grow(), engine.toString());
                assertEquals(content.length, engine.size());
                engine.readMany(reads(8192), 8192, (read, data) -> {
                    assertContent(content, engine, read, data);
                    return true;
                });
                assertTrue(!engine.grow(), "no second growth");
            }
        }
    }

    @Test
    void readsMustBeAligned() {
        assertThrows(IllegalArgumentException.class, () -> new IoEngine.Read(100, 4096));
        assertThrows(IllegalArgumentException.class, () -> new IoEngine.Read(0, 100));
        assertThrows(IllegalArgumentException.class, () -> new IoEngine.Read(0, 0));
    }

    @Test
    void theEnvironmentPicksEngineAndDepth() {
        assertEquals(new IoEngines.Choice(IoEngines.Kind.AUTO, IoEngines.DEFAULT_DEPTH), IoEngines.fromEnvironment(null, null));
        assertEquals(new IoEngines.Choice(IoEngines.Kind.THREADS, 8), IoEngines.fromEnvironment("threads", "8"));
        assertEquals(new IoEngines.Choice(IoEngines.Kind.PREAD, 1), IoEngines.fromEnvironment(" PREAD ", ""));
        assertEquals(new IoEngines.Choice(IoEngines.Kind.URING, 128), IoEngines.fromEnvironment("uring", "128"));
        LvmsyncException bad = assertThrows(LvmsyncException.class, () -> IoEngines.fromEnvironment("aio", null));
        assertTrue(bad.getMessage().contains("LVMSYNC_IO_ENGINE=aio"), bad.getMessage());
        bad = assertThrows(LvmsyncException.class, () -> IoEngines.fromEnvironment(null, "0"));
        assertTrue(bad.getMessage().contains("LVMSYNC_QUEUE_DEPTH=0"), bad.getMessage());
        assertThrows(LvmsyncException.class, () -> IoEngines.fromEnvironment(null, "lots"));
    }

    @Test
    void theDefaultEngineReadsLikeTheOthers() throws IOException {
        byte[] content = content();
        Path file = Files.write(dir.resolve("device.img"), content);
        try (IoEngine engine = IoEngines.open(file)) {
            assertEquals(IoEngines.DEFAULT_DEPTH, engine.queueDepth());
            engine.readMany(reads(0, 4096, SIZE), 8192, (read, data) -> {
                assertContent(content, engine, read, data);
                return true;
            });
        }
        try (IoEngine engine = IoEngines.open(file, new IoEngines.Choice(IoEngines.Kind.AUTO, 1))) {
            assertTrue(engine instanceof PreadEngine, engine.toString());
        }
    }
}
