package org.lvmsync.apply;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.lvmsync.stream.SnapshotIdentity;

/**
 * What the receiving side recorded about one destination: which snapshot it holds, and
 * the run that is changing it, if one is under way or was cut short. Kept by
 * {@link DestinationRecord}; the rules that read it are in {@link Lineage}.
 *
 * @param holds what the destination held when the last run completed; empty when unknown (no
 *              run recorded yet: a fresh full copy; or a stream without identity was applied)
 * @param run   the run begun and not completed: its writes are partly on the destination
 */
record DestinationState(Optional<SnapshotIdentity> holds, Optional<Run> run) {
    static final DestinationState UNKNOWN = new DestinationState(Optional.empty(), Optional.empty());

    DestinationState {
        Objects.requireNonNull(holds, "holds");
        Objects.requireNonNull(run, "run");
    }

    /**
     * A run under way.
     *
     * @param stream  the stream's id (for an undo file: its own id)
     * @param to      what the destination holds once the run completes (empty: unknown)
     * @param durable every record of the stream that ends at or below this device byte is on stable
     *                storage at the destination (the journal a resume starts from)
     */
    record Run(UUID stream, Optional<SnapshotIdentity> to, long durable) {
        Run {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(to, "to");
            if (durable < 0) {
                throw new IllegalArgumentException("durable offset " + durable);
            }
        }
    }

    DestinationState withRun(Run r) {
        return new DestinationState(holds, Optional.of(r));
    }

    /** The run completed: the destination holds what it brought. */
    DestinationState completed(Optional<SnapshotIdentity> now) {
        return new DestinationState(now, Optional.empty());
    }
}
