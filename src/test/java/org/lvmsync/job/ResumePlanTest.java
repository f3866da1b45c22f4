package org.lvmsync.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lvmsync.Log;
import org.lvmsync.changes.RunList;
import org.lvmsync.stream.ResumeAnswer;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamIdentity;

/** The sender's check of a resume answer: only an answer that fits this stream skips anything. */
class ResumePlanTest {
    static final SnapshotIdentity SNAP = SnapshotIdentity.classic("vg/lv-snap", "LVM-s", "LVM-o");
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

    /** Runs of 4 KiB chunks: [0, 64 KiB), [1 MiB, 3 MiB), [8 MiB, 8 MiB + 4 KiB). */
    static RunList runs() {
        RunList.Builder b = RunList.builder(4096);
        for (long u = 0; u < 16; u++) {
            b.add(u);
        }
        for (long u = 256; u < 768; u++) {
            b.add(u);
        }
        b.add(2048);
        return b.build();
    }

    static StreamIdentity id(RunList runs) {
        return StreamIdentities.identity(SNAP, Optional.empty(), 16 << 20, runs);
    }

    private long position(String line, StreamIdentity id, RunList runs) {
        return ResumePlan.position(Optional.ofNullable(line), id, runs);
    }

    @Test
    void aGoodAnswerResumesOnAChunkInsideTheRuns() {
        RunList runs = runs();
        StreamIdentity id = id(runs);
        assertEquals(2 << 20, position(ResumeAnswer.at(id.streamId(), 2 << 20).line(), id, runs));
        RunList rest = ResumePlan.from(runs, 2 << 20);
        assertEquals(2, rest.runCount());
        assertEquals(2 << 20, rest.firstRunOffset());
        assertEquals((1 << 20) + 4096, rest.totalBytes());
        assertEquals(runs.endOffset(), position(ResumeAnswer.at(id.streamId(), runs.endOffset()).line(), id, runs),
                "all durable: only the end record is left to send");
    }

    @Test
    void garbageSilenceAndStaleOrForgedAnswersSendEverything() {
        RunList runs = runs();
        StreamIdentity id = id(runs);
        assertEquals(0, position(null, id, runs));
        assertEquals(0, position("Last login: yesterday", id, runs));
        assertEquals(0, position(ResumeAnswer.none().line(), id, runs));
        assertEquals(0, position(ResumeAnswer.at(UUID.randomUUID(), 1 << 20).line(), id, runs), "another stream's");
        assertEquals(0, position(ResumeAnswer.at(id.streamId(), (1 << 20) + 100).line(), id, runs), "not a chunk");
        assertEquals(0, position(ResumeAnswer.at(id.streamId(), 12 << 20).line(), id, runs), "past the changes");
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("did not say where to resume; sending everything"), said);
        assertTrue(said.contains("is not understood ('Last login: yesterday'); sending everything"), said);
        assertTrue(said.contains("belongs to stream"), said);
        assertTrue(said.contains("is not a chunk boundary (4096 bytes) inside this stream's changes"), said);
    }

    @Test
    void theStreamIdFollowsTheSnapshotAndItsChanges() {
        RunList runs = runs();
        assertEquals(id(runs).streamId(), id(runs()).streamId(), "the same changes: the same stream");
        RunList.Builder more = RunList.builder(4096);
        more.add(0);
        more.add(3000);
        assertNotEquals(id(runs).streamId(), id(more.build()).streamId(), "other changes: another stream");
        SnapshotIdentity renamed = SnapshotIdentity.classic("vg/other-name", "LVM-s", "LVM-o");
        assertEquals(id(runs).streamId(), StreamIdentities.identity(renamed, Optional.empty(), 16 << 20, runs).streamId(),
                "a rename keeps the snapshot");
        SnapshotIdentity other = SnapshotIdentity.classic("vg/lv-snap", "LVM-s2", "LVM-o");
        assertNotEquals(id(runs).streamId(), StreamIdentities.identity(other, Optional.empty(), 16 << 20, runs).streamId());
    }
}
