package org.lvmsync.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
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

/** What every engine promises: results in plan order, short at the device end, stop on false. */
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
        return List.of(PreadEngine.open(file), PreadEngine.open(file, false),
                new SegmentEngine("memory", MemorySegment.ofArray(content)));
    }

    private static Iterator<IoEngine.Read> reads(long... offsets) {
        return LongStream.of(offsets).mapToObj(o -> new IoEngine.Read(o, 8192)).iterator();
    }

    @Test
    void resultsComeInPlanOrderAndEndShortAtTheDeviceEnd() throws IOException {
        byte[] content = content();
        for (IoEngine engine : engines(content)) {
            try (engine) {
                List<Long> seen = new ArrayList<>();
                engine.readMany(reads(65536, 0, SIZE - 4096, SIZE + 4096), 8192, (read, data) -> {
                    seen.add(read.offset());
                    long expected = Math.max(0, Math.min(read.length(), content.length - read.offset()));
                    assertEquals(expected, data.byteSize(), engine.name() + " at " + read.offset());
                    byte[] want = new byte[(int) expected];
                    System.arraycopy(content, (int) Math.min(read.offset(), content.length), want, 0, want.length);
                    assertArrayEquals(want, data.toArray(ValueLayout.JAVA_BYTE), engine.name());
                    return true;
                });
                assertEquals(List.of(65536L, 0L, (long) SIZE - 4096, (long) SIZE + 4096), seen, engine.name());
            }
        }
    }

    @Test
    void aHandlerThatSaysStopGetsNoMore() throws IOException {
        for (IoEngine engine : engines(content())) {
            try (engine) {
                int[] calls = {0};
                engine.readMany(reads(0, 8192, 16384, 24576), 8192, (read, data) -> ++calls[0] < 2);
                assertEquals(2, calls[0], engine.name());
            }
        }
    }

    @Test
    void readsMustBeAligned() {
        assertThrows(IllegalArgumentException.class, () -> new IoEngine.Read(100, 4096));
        assertThrows(IllegalArgumentException.class, () -> new IoEngine.Read(0, 100));
        assertThrows(IllegalArgumentException.class, () -> new IoEngine.Read(0, 0));
    }
}
