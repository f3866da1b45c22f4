package org.lvmsync.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamIdentity;

/** The base check's rule, case by case (see {@link Lineage}). */
class LineageTest {
    static final SnapshotIdentity A1 = SnapshotIdentity.classic("vg/a-snap", "LVM-a1", "LVM-a");
    static final SnapshotIdentity A2 = SnapshotIdentity.classic("vg/a-snap", "LVM-a2", "LVM-a");   // renamed in
    static final SnapshotIdentity B1 = SnapshotIdentity.classic("vg/b-snap", "LVM-b1", "LVM-b");
    static final SnapshotIdentity T5 = SnapshotIdentity.thin("vg/t5", "LVM-t5", "LVM-t", "LVM-pool", 5, 10);
    static final SnapshotIdentity T6 = SnapshotIdentity.thin("vg/t6", "LVM-t6", "LVM-t", "LVM-pool", 6, 11);

    static StreamIdentity stream(SnapshotIdentity source, Optional<SnapshotIdentity> base) {
        return new StreamIdentity(UUID.randomUUID(), 1 << 20, 4096, source, base);
    }

    static StreamIdentity undo(UUID of, SnapshotIdentity brought, Optional<SnapshotIdentity> before) {
        return new StreamIdentity(UUID.randomUUID(), 1 << 20, 4096, brought, before, Optional.of(of));
    }

    static DestinationState holds(SnapshotIdentity s) {
        return new DestinationState(Optional.of(s), Optional.empty());
    }

    @Test
    void noRecordAcceptsEverything() {
        assertNull(Lineage.refusal(DestinationState.UNKNOWN, stream(B1, Optional.empty())));
        assertNull(Lineage.refusal(DestinationState.UNKNOWN, stream(T6, Optional.of(T5))));
        assertNull(Lineage.refusal(DestinationState.UNKNOWN, undo(UUID.randomUUID(), A1, Optional.empty())));
    }

    @Test
    void aClassicStreamNeedsTheSameOrigin() {
        assertNull(Lineage.refusal(holds(A1), stream(A1, Optional.empty())), "the same snapshot again");
        assertNull(Lineage.refusal(holds(A1), stream(A2, Optional.empty())), "the next hour's snapshot");
        String r = Lineage.refusal(holds(A1), stream(B1, Optional.empty()));
        assertEquals("the destination holds vg/a-snap (LV UUID LVM-a1) (origin LVM-a), but this stream carries the"
                + " changes of vg/b-snap (LV UUID LVM-b1) (origin LVM-b), another volume: applied, it would mix two"
                + " histories (a --full copy of it replaces the destination whole and is accepted)", r);
    }

    static StreamIdentity full(SnapshotIdentity source) {
        return StreamIdentity.wholeDevice(UUID.randomUUID(), 1 << 20, 4096, source);
    }

    @Test
    void aWholeDeviceStreamIsAcceptedWhateverTheDestinationHeld() {
        assertNull(Lineage.refusal(holds(A1), full(B1)), "another volume, copied whole");
        assertNull(Lineage.refusal(holds(T6), full(T5)), "an older snapshot of the same volume, copied whole");
        assertNull(Lineage.refusal(DestinationState.UNKNOWN, full(A1)));
        StreamIdentity x = stream(A2, Optional.empty());
        DestinationState midway = holds(A1).withRun(new DestinationState.Run(x.streamId(), Optional.of(A2), 8192));
        assertNull(Lineage.refusal(midway, full(B1)), "over another stream's interrupted run");
        // what it leaves the destination holding is what the next streams are checked against
        assertNull(Lineage.refusal(holds(B1), stream(B1, Optional.empty())));
        assertTrue(Lineage.refusal(holds(B1), stream(A2, Optional.empty())).contains("another volume"));
        assertTrue(Lineage.refusal(holds(B1), stream(T6, Optional.of(T5))).contains("leads from vg/t5"));
    }

    @Test
    void anIncrementNeedsItsBase() {
        assertNull(Lineage.refusal(holds(T5), stream(T6, Optional.of(T5))));
        String r = Lineage.refusal(holds(T6), stream(T6, Optional.of(T5)));
        assertEquals("the destination holds vg/t6 (LV UUID LVM-t6), but this stream leads from vg/t5 (LV UUID LVM-t5):"
                + " applied, it would mix two histories", r);
        SnapshotIdentity byPool = new SnapshotIdentity(SnapshotIdentity.Kind.THIN, Optional.of("vg/t5"),
                Optional.empty(), Optional.empty(), Optional.of("LVM-pool"), OptionalLong.of(5), OptionalLong.empty());
        assertNull(Lineage.refusal(holds(T5), stream(T6, Optional.of(byPool))), "pool and thin id name it too");
    }

    @Test
    void theRunUnderWayMayContinueAndBeUndone() {
        StreamIdentity x = stream(B1, Optional.empty());
        DestinationState midway = holds(A1).withRun(new DestinationState.Run(x.streamId(), Optional.of(B1), 8192));
        assertNull(Lineage.refusal(midway, x), "the same stream again (a resume) goes on, --force given before");
        assertNull(Lineage.refusal(midway, undo(x.streamId(), B1, Optional.of(A1))), "its undo file");
    }

    @Test
    void undoFilesGoNewestFirst() {
        StreamIdentity sb1 = undo(UUID.randomUUID(), A1, Optional.empty());        // undoes the run that brought A1
        StreamIdentity sb2 = undo(UUID.randomUUID(), A2, Optional.of(A1));        // undoes the next one
        assertNull(Lineage.refusal(holds(A2), sb2));
        String r = Lineage.refusal(holds(A2), sb1);
        assertTrue(r.endsWith("apply the newer undo files first (newest first)"), r);
        assertNull(Lineage.refusal(holds(A1), sb1));
    }

    @Test
    void identitiesWithoutUuidsDoNotRefuse() {
        SnapshotIdentity bare = Lineage.unknown();
        assertEquals(Lineage.Match.UNKNOWN, Lineage.same(bare, A1));
        assertNull(Lineage.refusal(holds(A1), undo(UUID.randomUUID(), bare, Optional.empty())));
        assertNull(Lineage.refusal(holds(bare), stream(B1, Optional.empty())));
    }
}
