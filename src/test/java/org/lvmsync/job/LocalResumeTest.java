package org.lvmsync.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.Log;
import org.lvmsync.apply.Applier;
import org.lvmsync.apply.ApplyOptions;
import org.lvmsync.changes.RunList;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.sync.TestFiles;

/**
 * A local sync cut off midway (the sink fails as a dying process would leave it: no
 * finish), then the same sync with --resume: only what the destination's record does not
 * show as durable is sent, and the destination ends identical to the source.
 */
class LocalResumeTest {
    private static final int SIZE = 160 << 20;   // past two checkpoints (every 64 MiB)

    @TempDir
    Path dir;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream saved;

    @BeforeEach
    void capture() {
        saved = Log.stream();
        Log.setStream(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        Log.setStream(saved);
    }

    /** Passes records on until {@code limit} data bytes went through, then fails like a lost connection. */
    static final class Cut implements RecordSink {
        private final RecordSink sink;
        private final long limit;
        private long passed;

        Cut(RecordSink sink, long limit) {
            this.sink = sink;
            this.limit = limit;
        }

        @Override
        public void accept(Record record, MemorySegment payload) throws IOException {
            if (record instanceof Record.Extent e && (passed += e.length()) > limit) {
                throw new IOException("connection lost");
            }
            sink.accept(record, payload);
        }

        @Override
        public void finish() throws IOException {
            sink.finish();
        }

        @Override
        public void close() {
            // the applier is closed by its owner
        }
    }

    static RunList everyChunk(long size) {
        RunList.Builder b = RunList.builder(65536);
        for (long u = 0; u < size / 65536; u++) {
            if (u % 7 != 3) {   // a few gaps
                b.add(u);
            }
        }
        return b.build();
    }

    @Test
    void aResumedSyncSendsOnlyTheRestAndEndsIdentical() throws IOException {
        byte[] origin = TestFiles.random(SIZE, 1);
        Path source = TestFiles.file("resume-origin", origin);
        Path dest = TestFiles.file("resume-dest", new byte[SIZE]);
        Path state = dir.resolve("state");
        try {
            RunList runs = everyChunk(SIZE);
            StreamIdentity id = StreamIdentities.forDevice("vg/lv-snap", SIZE, runs);
            ApplyOptions options = new ApplyOptions(Optional.empty(), false, false, false, Optional.of(state));
            try (Applier applier = Applier.open(dest, options, Optional.of(id));
                 RecordSink cut = new Cut(applier, 135L << 20)) {
                assertThrows(IOException.class, () -> SendJob.send(runs, source, cut, id, SendJob.Resume.NO));
            }
            long sent;
            try (Applier applier = Applier.open(dest, options, Optional.of(id))) {
                sent = SendJob.send(runs, source, applier, id, SendJob.Resume.ASK);
            }
            // at least one checkpoint (every 64 MiB) was durable before the cut: that much is not sent again
            assertTrue(sent <= runs.totalBytes() - (64L << 20), "sent " + sent + " of " + runs.totalBytes() + "\n" + err);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("Resuming at byte "), err.toString());
            byte[] expected = new byte[SIZE];
            runs.forEach((offset, length) -> System.arraycopy(origin, (int) offset, expected, (int) offset, (int) length));
            assertArrayEquals(expected, Files.readAllBytes(dest));

            // the run completed: another run of the same stream has nothing to resume
            err.reset();
            try (Applier applier = Applier.open(dest, options, Optional.of(id))) {
                assertEquals(runs.totalBytes(), SendJob.send(runs, source, applier, id, SendJob.Resume.ASK));
            }
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(dest);
        }
    }
}
