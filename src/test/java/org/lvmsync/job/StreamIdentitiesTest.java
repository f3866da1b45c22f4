package org.lvmsync.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.apply.Applier;
import org.lvmsync.apply.ApplyOptions;
import org.lvmsync.changes.RunList;
import org.lvmsync.discover.ThinPool;
import org.lvmsync.discover.ThinSnapshot;
import org.lvmsync.dm.DevNo;
import org.lvmsync.lvm.LvName;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.stream.StreamWriting;

/** The identity thin sends carry (deliverable 8), and the base check it makes possible. */
class StreamIdentitiesTest {
    private static final long BLOCK = 65536;
    private static final long SIZE = 64 * BLOCK;

    private static ThinSnapshot snapshot(String name, long thinId, String lvUuid, long transactionId) {
        return snapshot(name, thinId, lvUuid, transactionId, "data", "origin-uuid");
    }

    private static ThinSnapshot snapshot(String name, long thinId, String lvUuid, long transactionId, String origin,
                                         String originUuid) {
        ThinPool pool = new ThinPool(new LvName("vg", "pool"), "vg-pool-tpool", new DevNo(253, 2), new DevNo(253, 0),
                BLOCK, Optional.of("pool-uuid"), transactionId);
        return new ThinSnapshot(new LvName("vg", name), Optional.of(new DevNo(253, 10 + (int) thinId)), thinId, SIZE,
                new LvName("vg", origin), new DevNo(253, 4), 1, SIZE, 0, pool, Optional.of(lvUuid),
                Optional.of(originUuid));
    }

    private static RunList runs(long... blocks) {
        RunList.Builder b = RunList.builder(BLOCK);
        for (long block : blocks) {
            b.add(block);
        }
        return b.build();
    }

    @Test
    void aThinSnapshotIsNamedByItsUuidsPoolAndThinId() throws IOException {
        StreamIdentity id = StreamIdentities.of(snapshot("data-s1", 5, "s1-uuid", 40), Optional.empty(), SIZE - 100,
                runs(0, 3));
        SnapshotIdentity s = id.source();
        assertEquals(SnapshotIdentity.Kind.THIN, s.kind());
        assertEquals(Optional.of("vg/data-s1"), s.name());
        assertEquals(Optional.of("s1-uuid"), s.lvUuid());
        assertEquals(Optional.of("origin-uuid"), s.originUuid());
        assertEquals(Optional.of("pool-uuid"), s.poolUuid());
        assertEquals(OptionalLong.of(5), s.thinId());
        assertEquals(OptionalLong.of(40), s.transactionId());
        assertEquals(SIZE, id.deviceSize(), "rounded up to whole sectors");
        assertEquals(BLOCK, id.chunkSize());
        assertEquals(Optional.empty(), id.base());
    }

    @Test
    void anIncrementLeadsFromTheOlderSnapshot() throws IOException {
        StreamIdentity id = StreamIdentities.of(snapshot("data-s2", 6, "s2-uuid", 41),
                Optional.of(snapshot("data-s1", 5, "s1-uuid", 41)), SIZE, runs(7));
        assertEquals(Optional.of("s2-uuid"), id.source().lvUuid());
        assertEquals(Optional.of("s1-uuid"), id.base().orElseThrow().lvUuid());
        assertEquals(OptionalLong.of(5), id.base().orElseThrow().thinId());
        StreamIdentity whole = StreamIdentities.of(snapshot("data-s2", 6, "s2-uuid", 41), Optional.empty(), SIZE, runs(7));
        assertNotEquals(whole.streamId(), id.streamId(), "the base is part of what the stream is");
    }

    /**
     * A --full copy says it writes the whole device; it is another stream than the changes
     * of the same snapshot with the same runs (its data comes from elsewhere).
     */
    @Test
    void aFullCopyLeadsFromNothing() throws IOException {
        ThinSnapshot s1 = snapshot("data-s1", 5, "s1-uuid", 40);
        StreamIdentity full = StreamIdentities.full(s1, SIZE, runs(0, 3));
        assertTrue(full.wholeDevice());
        assertEquals(Optional.empty(), full.base());
        assertEquals(Optional.of("s1-uuid"), full.source().lvUuid());
        StreamIdentity changes = StreamIdentities.of(s1, Optional.empty(), SIZE, runs(0, 3));
        assertFalse(changes.wholeDevice());
        assertNotEquals(changes.streamId(), full.streamId());
        assertEquals(full.streamId(), StreamIdentities.full(snapshot("data-s1", 5, "s1-uuid", 99), SIZE, runs(0, 3))
                .streamId(), "sent again, it is the same stream (resume)");
    }

    /** The pool's transaction id moves with any write in the pool: a stream sent again must keep its id (resume). */
    @Test
    void theStreamIdIgnoresTheTransactionIdButNotTheRuns() throws IOException {
        StreamIdentity first = StreamIdentities.of(snapshot("data-s1", 5, "s1-uuid", 40), Optional.empty(), SIZE,
                runs(0, 3));
        StreamIdentity later = StreamIdentities.of(snapshot("data-s1", 5, "s1-uuid", 99), Optional.empty(), SIZE,
                runs(0, 3));
        StreamIdentity other = StreamIdentities.of(snapshot("data-s1", 5, "s1-uuid", 40), Optional.empty(), SIZE,
                runs(0, 4));
        assertEquals(first.streamId(), later.streamId());
        assertNotEquals(first.streamId(), other.streamId());
    }

    /**
     * A thin full copy, then an increment from it, applied to an image file with a state
     * directory: the increment from the snapshot the destination holds goes on; one from
     * another snapshot is refused before anything is written, unless forced.
     */
    @Test
    void anIncrementOntoADestinationThatHoldsAnotherSnapshotIsRefused(@TempDir Path dir) throws IOException {
        Path image = Files.write(dir.resolve("image"), new byte[(int) SIZE]);
        Optional<Path> state = Optional.of(dir.resolve("state"));
        ThinSnapshot s1 = snapshot("data-s1", 5, "s1-uuid", 40);
        ThinSnapshot s2 = snapshot("data-s2", 6, "s2-uuid", 41);
        ThinSnapshot s3 = snapshot("data-s3", 7, "s3-uuid", 42);
        apply(image, state, false, StreamIdentities.full(s1, SIZE, runs(0)), 0, (byte) 1);
        byte[] afterFull = Files.readAllBytes(image);

        StreamIdentity fromS2 = StreamIdentities.of(s3, Optional.of(s2), SIZE, runs(2));
        LvmsyncException e = assertThrows(LvmsyncException.class,
                () -> apply(image, state, false, fromS2, 2 * BLOCK, (byte) 3));
        assertEquals(FailureClass.WRONG_BASE, e.failureClass());
        assertTrue(e.getMessage().contains("vg/data-s1") && e.getMessage().contains("vg/data-s2"), e.getMessage());
        assertArrayEquals(afterFull, Files.readAllBytes(image), "nothing written");

        apply(image, state, false, StreamIdentities.of(s2, Optional.of(s1), SIZE, runs(1)), BLOCK, (byte) 2);
        apply(image, state, false, fromS2, 2 * BLOCK, (byte) 3);   // now it holds s2
        StreamIdentity fromS1 = StreamIdentities.of(s3, Optional.of(s1), SIZE, runs(3));
        assertThrows(LvmsyncException.class, () -> apply(image, state, false, fromS1, 3 * BLOCK, (byte) 4));
        apply(image, state, true, fromS1, 3 * BLOCK, (byte) 4);   // --force
        byte[] bytes = Files.readAllBytes(image);
        for (int block = 0; block < 4; block++) {
            byte[] expected = new byte[(int) BLOCK];
            Arrays.fill(expected, (byte) (block + 1));
            assertArrayEquals(expected, Arrays.copyOfRange(bytes, (int) (block * BLOCK), (int) ((block + 1) * BLOCK)));
        }
    }

    /**
     * Thin --full of volume A onto an image file with a state directory, then --full of
     * another volume B onto it: accepted (it needs nothing of what the destination held) and
     * recorded, so an increment from A's lineage (and A's own changes) are refused with
     * nothing written. The undo file of B's copy leads the destination back to A, bytes and
     * record: A's increment goes on after it, and B's is refused.
     */
    @Test
    void aFullCopyOfAnotherVolumeIsAcceptedAndRecorded(@TempDir Path dir) throws IOException {
        Path image = Files.write(dir.resolve("image"), new byte[(int) SIZE]);
        Optional<Path> state = Optional.of(dir.resolve("state"));
        ThinSnapshot a1 = snapshot("data-s1", 5, "s1-uuid", 40);
        ThinSnapshot a2 = snapshot("data-s2", 6, "s2-uuid", 41);
        ThinSnapshot b1 = snapshot("other-s1", 8, "o1-uuid", 42, "other", "other-uuid");
        ThinSnapshot b2 = snapshot("other-s2", 9, "o2-uuid", 43, "other", "other-uuid");
        apply(image, state, false, StreamIdentities.full(a1, SIZE, runs(0)), 0, (byte) 1);
        byte[] holdsA = Files.readAllBytes(image);

        Path undo = dir.resolve("undo-b1");
        apply(image, state, Optional.of(undo), false, StreamIdentities.full(b1, SIZE, runs(1)), BLOCK, (byte) 5);
        byte[] holdsB = Files.readAllBytes(image);
        StreamIdentity fromA1 = StreamIdentities.of(a2, Optional.of(a1), SIZE, runs(2));
        LvmsyncException e = assertThrows(LvmsyncException.class,
                () -> apply(image, state, false, fromA1, 2 * BLOCK, (byte) 2));
        assertEquals(FailureClass.WRONG_BASE, e.failureClass());
        assertTrue(e.getMessage().contains("holds vg/other-s1") && e.getMessage().contains("leads from vg/data-s1"),
                e.getMessage());
        assertArrayEquals(holdsB, Files.readAllBytes(image), "nothing written");
        LvmsyncException changes = assertThrows(LvmsyncException.class, () -> apply(image, state, false,
                StreamIdentities.of(a1, Optional.empty(), SIZE, runs(3)), 3 * BLOCK, (byte) 3));
        assertTrue(changes.getMessage().contains("another volume"), changes.getMessage());

        ApplyJob.run(new ApplyRequest(undo.toString(), image, Optional.empty(), false,
                new TransferOptions(StreamWriting.DEFAULT, false, false, false, state)));
        assertArrayEquals(holdsA, Files.readAllBytes(image), "the undo file restores A's bytes");
        apply(image, state, false, fromA1, 2 * BLOCK, (byte) 2);   // and the record says A again
        assertThrows(LvmsyncException.class, () -> apply(image, state, false,
                StreamIdentities.of(b2, Optional.of(b1), SIZE, runs(4)), 4 * BLOCK, (byte) 6));
    }

    private static void apply(Path image, Optional<Path> state, boolean force, StreamIdentity id, long offset, byte value)
            throws IOException {
        apply(image, state, Optional.empty(), force, id, offset, value);
    }

    private static void apply(Path image, Optional<Path> state, Optional<Path> snapback, boolean force,
                              StreamIdentity id, long offset, byte value) throws IOException {
        try (Applier applier = Applier.open(image, new ApplyOptions(snapback, false, false, force, state),
                Optional.of(id))) {
            byte[] data = new byte[(int) BLOCK];
            Arrays.fill(data, value);
            applier.accept(new Record.Header(id), MemorySegment.NULL);
            applier.accept(new Record.Data(offset, BLOCK), MemorySegment.ofArray(data));
            applier.finish();
        }
    }
}
