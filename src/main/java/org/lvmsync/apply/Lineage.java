package org.lvmsync.apply;

import java.util.Optional;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamIdentity;

/**
 * The base check: may a stream be applied to a destination, given what the destination's
 * record says it holds? Pure; the answer is null (go on) or the reason for the refusal.
 *
 * <p>The rule, in the order it is applied:
 * <ol>
 *   <li>no record (a first sync after a full copy), or a stream without identity (the
 *       original's formats, which cannot be checked; {@link Journal} then clears the
 *       record): accepted;
 *   <li>the stream of the run the record says is under way (an interrupted run, sent
 *       again or resumed): accepted;
 *   <li>an undo (snapback) file: accepted if it undoes the run under way, or if the
 *       destination holds what the run it undoes brought; otherwise newer undo files
 *       must come first;
 *   <li>a whole-device stream ({@code --full}): accepted, whatever the destination held,
 *       since it needs none of it;
 *   <li>an increment with a base ({@code --since}): the destination must hold the base;
 *   <li>a stream without a base (a snapshot's changes since it was taken): the
 *       destination must hold a snapshot of the same origin.
 * </ol>
 * Identities are compared by their UUIDs (and a thin snapshot by pool and device id), never
 * by name: LVM renames keep UUIDs (the hourly cron rotation renames its snapshots). Where a
 * side lacks what would tell them apart, the check does not refuse.
 */
final class Lineage {
    enum Match { SAME, DIFFERENT, UNKNOWN }

    private Lineage() {
    }

    /** Null if {@code incoming} may be applied to a destination in {@code state}, else why not. */
    static String refusal(DestinationState state, StreamIdentity incoming) {
        if (state.run().isPresent() && state.run().get().stream().equals(incoming.streamId())) {
            return null;
        }
        Optional<SnapshotIdentity> holds = state.holds();
        if (incoming.isUndo()) {
            if (state.run().isPresent() && incoming.undoes().get().equals(state.run().get().stream())) {
                return null;
            }
            if (holds.isEmpty() || same(holds.get(), incoming.source()) != Match.DIFFERENT) {
                return null;
            }
            return "the destination holds " + describe(holds.get()) + ", but this undo file undoes a run that brought "
                    + describe(incoming.source()) + ": apply the newer undo files first (newest first)";
        }
        if (holds.isEmpty() || incoming.wholeDevice()) {
            return null;
        }
        if (incoming.base().isPresent()) {
            SnapshotIdentity base = incoming.base().get();
            return same(holds.get(), base) != Match.DIFFERENT ? null
                    : "the destination holds " + describe(holds.get()) + ", but this stream leads from "
                    + describe(base) + ": applied, it would mix two histories";
        }
        return sameOrigin(holds.get(), incoming.source()) != Match.DIFFERENT ? null
                : "the destination holds " + describe(holds.get()) + " (origin " + holds.get().originUuid().get()
                + "), but this stream carries the changes of " + describe(incoming.source()) + " (origin "
                + incoming.source().originUuid().get() + "), another volume: applied, it would mix two histories (a --full"
                + " copy of it replaces the destination whole and is accepted)";
    }

    /** Whether two identities name the same snapshot, as far as their fields tell. */
    static Match same(SnapshotIdentity a, SnapshotIdentity b) {
        if (a.lvUuid().isPresent() && b.lvUuid().isPresent()) {
            return a.lvUuid().equals(b.lvUuid()) && a.kind() == b.kind() ? Match.SAME : Match.DIFFERENT;
        }
        if (a.poolUuid().isPresent() && b.poolUuid().isPresent() && a.thinId().isPresent() && b.thinId().isPresent()) {
            return a.poolUuid().equals(b.poolUuid()) && a.thinId().equals(b.thinId()) ? Match.SAME : Match.DIFFERENT;
        }
        return Match.UNKNOWN;
    }

    /** Whether two snapshots are of the same origin volume. */
    static Match sameOrigin(SnapshotIdentity a, SnapshotIdentity b) {
        if (a.originUuid().isPresent() && b.originUuid().isPresent()) {
            return a.originUuid().equals(b.originUuid()) ? Match.SAME : Match.DIFFERENT;
        }
        return Match.UNKNOWN;
    }

    /** {@code vg/lv-snap (LV UUID ...)} for messages. */
    static String describe(SnapshotIdentity s) {
        String name = s.name().orElse("an unnamed " + s.kind().name().toLowerCase(java.util.Locale.ROOT) + " snapshot");
        if (s.lvUuid().isPresent()) {
            return name + " (LV UUID " + s.lvUuid().get() + ")";
        }
        if (s.poolUuid().isPresent() && s.thinId().isPresent()) {
            return name + " (pool " + s.poolUuid().get() + ", thin id " + s.thinId().getAsLong() + ")";
        }
        return name;
    }

    /** A snapshot about which nothing is known: the source of an undo file of a stream without identity. */
    static SnapshotIdentity unknown() {
        return new SnapshotIdentity(SnapshotIdentity.Kind.CLASSIC, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), java.util.OptionalLong.empty(), java.util.OptionalLong.empty());
    }

    /** Whether the identity says anything at all (else it is {@link #unknown()}). */
    static boolean known(SnapshotIdentity s) {
        return s.name().isPresent() || s.lvUuid().isPresent() || s.originUuid().isPresent() || s.poolUuid().isPresent();
    }
}
