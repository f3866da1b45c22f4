package org.lvmsync.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.stream.Resumable;
import org.lvmsync.stream.ResumeAnswer;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamIdentity;

class ZeroFillTest {
    /** Records as "offset+length" (z for a zero record), answering a resume question with {@code answer}. */
    static final class Seen implements RecordSink, Resumable {
        final List<String> records = new ArrayList<>();
        Optional<String> answer = Optional.empty();
        boolean finished;

        @Override
        public void accept(Record record, MemorySegment payload) {
            if (record instanceof Record.Extent extent) {
                records.add(extent.offset() + "+" + extent.length() + (record instanceof Record.Zero ? "z" : ""));
            }
        }

        @Override
        public Optional<String> resumeAnswer() {
            return answer;
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
    void gapsBecomeZeroRecordsUpToTheSize() throws IOException {
        Seen inner = new Seen();
        long mib = 1 << 20;
        try (ZeroFillSink sink = new ZeroFillSink(inner, 4 * mib + 8192, false)) {
            data(sink, 4096, 4096);
            data(sink, 8192, 4096);
            data(sink, 3 * mib, 4096);
            sink.finish();
        }
        assertEquals(List.of("0+4096z", "4096+4096", "8192+4096", "12288+" + (3 * mib - 12288) + "z",
                3 * mib + "+4096", (3 * mib + 4096) + "+" + (mib + 4096) + "z"), inner.records);
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
        ZeroFill fill = new ZeroFill(100_000, false, (off, length) -> zeros.add(off + "+" + length));
        fill.before(50_000);
        fill.after(60_000);
        fill.before(10_000);   // behind what was written: nothing to fill
        fill.after(20_000);
        fill.finish();
        assertEquals(List.of("0+50000", "60000+40000"), zeros);
        assertEquals(90_000, fill.gapBytes());
    }

    /** A resumed full copy must not zero what the interrupted run wrote below the receiver's durable point. */
    @Test
    void aResumedCopyFillsOnlyFromWhereTheReceiverIsDurable() throws IOException {
        UUID stream = UUID.randomUUID();
        StreamIdentity id = new StreamIdentity(stream, 4 << 20, 4096,
                SnapshotIdentity.thin("vg/thin-snap", "lv-uuid", "origin-uuid", "pool-uuid", 7, 12), Optional.empty());
        Seen inner = new Seen();
        inner.answer = Optional.of(ResumeAnswer.at(stream, 2 << 20).line());
        try (ZeroFillSink sink = new ZeroFillSink(inner, 4 << 20, false)) {
            sink.accept(new Record.Header(id), MemorySegment.NULL);
            assertEquals(inner.answer, sink.resumeAnswer());
            data(sink, 3 << 20, 4096);
            sink.finish();
        }
        assertEquals(List.of((2 << 20) + "+" + (1 << 20) + "z", (3 << 20) + "+4096",
                ((3 << 20) + 4096) + "+" + ((1 << 20) - 4096) + "z"), inner.records);
    }

    @Test
    void anotherStreamsResumePointDoesNotMoveTheFill() throws IOException {
        StreamIdentity id = new StreamIdentity(UUID.randomUUID(), 1 << 20, 4096,
                SnapshotIdentity.thin("vg/thin-snap", "lv-uuid", "origin-uuid", "pool-uuid", 7, 12), Optional.empty());
        Seen inner = new Seen();
        inner.answer = Optional.of(ResumeAnswer.at(UUID.randomUUID(), 65536).line());
        try (ZeroFillSink sink = new ZeroFillSink(inner, 1 << 20, false)) {
            sink.accept(new Record.Header(id), MemorySegment.NULL);
            sink.resumeAnswer();
            data(sink, 131072, 4096);
            sink.finish();
        }
        assertEquals(List.of("0+131072z", "131072+4096", "135168+" + ((1 << 20) - 135168) + "z"), inner.records);
    }
}
