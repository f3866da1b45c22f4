package org.lvmsync.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;

class ZeroFillTest {
    /** Records as "offset+length" (z for all zeros). */
    static final class Seen implements RecordSink {
        final List<String> records = new ArrayList<>();
        boolean finished;

        @Override
        public void accept(Record record, MemorySegment payload) {
            boolean zeros = true;
            for (long i = 0; i < payload.byteSize(); i++) {
                zeros &= payload.get(ValueLayout.JAVA_BYTE, i) == 0;
            }
            Record.Extent extent = (Record.Extent) record;
            records.add(extent.offset() + "+" + extent.length() + (zeros ? "z" : ""));
        }

        @Override
        public void finish() {
            finished = true;
        }

        @Override
        public void close() {
        }
    }

    private static void data(RecordSink sink, long offset, int length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment payload = arena.allocate(length);
            payload.fill((byte) 7);
            sink.data(offset, payload);
        }
    }

    @Test
    void gapsBecomeZerosInPiecesUpToTheSize() throws IOException {
        Seen inner = new Seen();
        long mib = ZeroFill.PIECE;
        try (ZeroFillSink sink = new ZeroFillSink(inner, 4 * mib + 8192, false)) {
            data(sink, 4096, 4096);
            data(sink, 8192, 4096);
            data(sink, 3 * mib, 4096);
            sink.finish();
        }
        assertEquals(List.of("0+4096z", "4096+4096", "8192+4096", "12288+" + (mib - 12288) + "z",
                mib + "+" + mib + "z", 2 * mib + "+" + mib + "z", 3 * mib + "+4096",
                (3 * mib + 4096) + "+" + (mib - 4096) + "z", 4 * mib + "+8192z"), inner.records);
        assertEquals(true, inner.finished);
    }

    @Test
    void aDestinationThatReadsZerosGetsOnlyTheData() throws IOException {
        Seen inner = new Seen();
        try (ZeroFillSink sink = new ZeroFillSink(inner, 1 << 20, true)) {
            data(sink, 65536, 4096);
            sink.finish();
        }
        assertEquals(List.of("65536+4096"), inner.records);
    }

    @Test
    void recordsOutOfOrderAreNeverOverwritten() throws IOException {
        List<String> zeros = new ArrayList<>();
        try (ZeroFill fill = new ZeroFill(100_000, false, (off, z) -> zeros.add(off + "+" + z.byteSize()))) {
            fill.before(50_000);
            fill.after(60_000);
            fill.before(10_000);   // behind what was written: nothing to fill
            fill.after(20_000);
            fill.finish();
            assertEquals(List.of("0+50000", "60000+40000"), zeros);
            assertEquals(90_000, fill.gapBytes());
        }
    }
}
