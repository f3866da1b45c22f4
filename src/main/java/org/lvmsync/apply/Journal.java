package org.lvmsync.apply;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.stream.ResumeAnswer;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamIdentity;

/**
 * One run's use of its destination's {@link DestinationRecord}: the base check before
 * anything is written, the run marked as under way before the first write, its durable
 * position at checkpoints (what a resume starts from), and at the end what the
 * destination now holds.
 *
 * <p>The record helps; it never stops a sync that would otherwise succeed: a state
 * directory that cannot be created or written (a user without rights to
 * {@code /var/lib/lvmsync}, a full disk) costs a warning, and this run then keeps no
 * record (so the next one is checked against an older record, or none). Only a record that
 * is there and damaged is refused, since it cannot say what the destination holds.
 */
final class Journal implements AutoCloseable {
    private DestinationRecord record;          // null: no record is kept for this run
    private final Optional<StreamIdentity> incoming;
    private final DestinationState before;
    private DestinationState state;
    private boolean begun;

    private Journal(DestinationRecord record, DestinationState state, Optional<StreamIdentity> incoming) {
        this.record = record;
        this.before = state;
        this.state = state;
        this.incoming = incoming;
    }

    /** A run that keeps no record (no state directory given: tests, benchmarks, library use). */
    static Journal none(Optional<StreamIdentity> incoming) {
        return new Journal(null, DestinationState.UNKNOWN, incoming);
    }

    /**
     * Reads the record of destination {@code key} (shown as {@code dest}) and checks the
     * incoming stream against it.
     *
     * @throws LvmsyncException WRONG_BASE when the stream does not lead from what the destination
     *                          holds (unless {@code force}); DESTINATION for a damaged record
     */
    static Journal open(Path dir, String key, Path dest, Optional<StreamIdentity> incoming, boolean force)
            throws IOException {
        DestinationRecord record;
        try {
            record = DestinationRecord.open(dir, key);
        } catch (IOException | RuntimeException e) {
            Log.warn("cannot keep the record of " + dest + " in " + dir + " (" + e.getMessage() + "): this run is"
                    + " not checked against the snapshot the destination holds and cannot be resumed; --state-dir"
                    + " names another directory");
            return none(incoming);
        }
        DestinationState state;
        try {
            state = record.read();
        } catch (LvmsyncException damaged) {
            if (!force) {
                closeQuietly(record, damaged);
                throw damaged;
            }
            Log.warn("--force: " + damaged.getMessage() + "; it is overwritten");
            state = DestinationState.UNKNOWN;
        } catch (IOException | RuntimeException e) {
            closeQuietly(record, e);
            Log.warn("cannot read the record of " + dest + " (" + e.getMessage() + "): this run is not checked"
                    + " against the snapshot the destination holds and cannot be resumed");
            return none(incoming);
        }
        if (incoming.isEmpty()) {
            warnUnchecked(dest, state);
        }
        Journal journal = new Journal(record, state, incoming);
        DestinationState found = state;
        String refusal = incoming.map(id -> Lineage.refusal(found, id)).orElse(null);
        if (refusal != null && !force) {
            closeQuietly(record, null);
            throw new LvmsyncException(FailureClass.WRONG_BASE, dest + ": " + refusal + " (recorded in "
                    + record.path() + "); nothing was written. If " + dest + " was copied whole since, or you"
                    + " know better, run again with --force");
        }
        if (refusal != null) {
            Log.warn("--force: " + dest + ": " + refusal);
        }
        return journal;
    }

    /**
     * A stream in the original's formats names no snapshot, so it cannot be checked; once it
     * writes, what the destination holds is unknown, and {@link #begin} clears the record.
     */
    private static void warnUnchecked(Path dest, DestinationState state) {
        if (state.holds().isPresent() || state.run().isPresent()) {
            Log.warn(dest + ": this stream is in the original's format, which names no snapshot: it is not checked"
                    + " against " + state.holds().map(h -> "the snapshot the destination holds, "
                    + Lineage.describe(h)).orElse("the run under way") + ", and the destination's record is cleared");
        }
    }

    /** Where an interrupted run of the incoming stream left off, as the receiver answers a resuming sender. */
    ResumeAnswer resumeAnswer() {
        if (incoming.isEmpty() || before.run().isEmpty()) {
            return ResumeAnswer.none();
        }
        DestinationState.Run run = before.run().get();
        StreamIdentity id = incoming.get();
        long chunk = id.chunkSize();
        long at = run.durable() / chunk * chunk;
        return run.stream().equals(id.streamId()) && at > 0 ? ResumeAnswer.at(id.streamId(), at) : ResumeAnswer.none();
    }

    /** What the destination holds once this run completes; empty when that is unknown. */
    Optional<SnapshotIdentity> brings() {
        if (incoming.isEmpty()) {
            return Optional.empty();
        }
        StreamIdentity id = incoming.get();
        return id.isUndo() ? id.base().filter(Lineage::known) : Optional.of(id.source());
    }

    /** What the destination held before this run, as far as known. */
    Optional<SnapshotIdentity> heldBefore() {
        if (before.holds().isPresent() || incoming.isEmpty()) {
            return before.holds();
        }
        StreamIdentity id = incoming.get();
        return id.isUndo() ? Optional.of(id.source()).filter(Lineage::known) : id.base();
    }

    /** The identity for this run's undo file, or empty when the stream has none (then the undo file has none). */
    Optional<StreamIdentity> undoIdentity(long deviceSize) {
        return incoming.map(id -> new StreamIdentity(UUID.randomUUID(), deviceSize, id.chunkSize(),
                brings().orElseGet(Lineage::unknown), heldBefore(), Optional.of(id.streamId())));
    }

    /**
     * Before the first byte of the destination is overwritten: the record says a run is
     * under way (so its undo file is accepted after a crash). After a stream without
     * identity the destination's history is unknown: the record says nothing any more.
     */
    void begin() {
        if (begun) {
            return;
        }
        begun = true;
        if (incoming.isEmpty()) {
            write(DestinationState.UNKNOWN);
            return;
        }
        UUID stream = incoming.get().streamId();
        long durable = before.run().filter(r -> r.stream().equals(stream)).map(DestinationState.Run::durable).orElse(0L);
        write(before.withRun(new DestinationState.Run(stream, brings(), durable)));
    }

    /** Every record of the stream ending at or below {@code offset} is on stable storage at the destination. */
    void durable(long offset) {
        if (!begun || state.run().isEmpty()) {
            return;
        }
        DestinationState.Run run = state.run().get();
        if (offset > run.durable()) {
            write(state.withRun(new DestinationState.Run(run.stream(), run.to(), offset)));
        }
    }

    /**
     * The run is complete and durable: the destination holds what it brought (also after a
     * stream with no change in it: the destination holds its snapshot all the same).
     */
    void complete() {
        if (incoming.isPresent()) {
            write(state.completed(brings()));
        }
    }

    private void write(DestinationState next) {
        if (record == null) {
            state = next;
            return;
        }
        try {
            record.write(next);
            state = next;
        } catch (IOException | RuntimeException e) {
            Log.warn("cannot update the destination record " + record.path() + " (" + e.getMessage()
                    + "); it is no longer kept for this run: the next run may need --force, and this one cannot"
                    + " be resumed from here on");
            closeQuietly(record, null);
            record = null;
        }
    }

    private static void closeQuietly(DestinationRecord r, Exception into) {
        try {
            r.close();
        } catch (IOException e) {
            if (into != null) {
                into.addSuppressed(e);
            } else {
                Log.debug("closing the destination record: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        if (record != null) {
            closeQuietly(record, null);
            record = null;
        }
    }
}
