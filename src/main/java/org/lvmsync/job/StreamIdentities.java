package org.lvmsync.job;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.lvmsync.Log;
import org.lvmsync.changes.RunList;
import org.lvmsync.discover.ClassicSnapshot;
import org.lvmsync.discover.Snapshot;
import org.lvmsync.discover.ThinSnapshot;
import org.lvmsync.dm.DmClient;
import org.lvmsync.dm.DmInfo;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamIdentity;

/**
 * What a sent stream says it is (its {@link StreamIdentity}), from what discovery found:
 * the one place where a kind of snapshot becomes the identity a receiver checks its base
 * against and keys its resume journal by. A new kind of snapshot adds its case to
 * {@link #source}; an increment between two snapshots ({@code --since}) carries the older
 * one as its base.
 *
 * <p>The stream id is not random: it is a digest of the snapshot's identity, the device
 * and chunk size and the whole run list. The same snapshot with the same changes gives
 * the same id, which is how a receiver knows that a stream sent again is the one it holds
 * part of (resume); a snapshot that changed in between gives another id, and the
 * transfer starts over.
 */
public final class StreamIdentities {
    private StreamIdentities() {
    }

    /**
     * The identity of the stream of {@code runs} read from {@code snapshot} (its origin's
     * changes, or for a thin snapshot its own blocks), a device of {@code deviceSize} bytes;
     * {@code base} is the older snapshot an increment ({@code --since}) leads from.
     */
    public static StreamIdentity of(Snapshot snapshot, Optional<Snapshot> base, long deviceSize, RunList runs)
            throws IOException {
        Optional<SnapshotIdentity> from = base.isEmpty() ? Optional.empty() : Optional.of(source(base.get()));
        return identity(source(snapshot), from, deviceSize, runs);
    }

    /**
     * The identity of a {@code --full} copy of {@code snapshot}: {@code runs} and what the
     * receiver zero-fills make up the whole device, so the stream leads from nothing.
     */
    public static StreamIdentity full(Snapshot snapshot, long deviceSize, RunList runs) throws IOException {
        return wholeDevice(source(snapshot), deviceSize, runs);
    }

    /** What a receiver compares: one case per kind of snapshot. */
    private static SnapshotIdentity source(Snapshot snapshot) throws IOException {
        return switch (snapshot) {
            case ClassicSnapshot classic -> classic(classic);
            case ThinSnapshot thin -> thin(thin);
        };
    }

    /**
     * A thin snapshot: its LV's and its origin's UUIDs from LVM's report, the pool's UUID,
     * its thin device id in the pool and the pool's transaction id when it was looked at
     * (for messages; any write anywhere in the pool moves it on, so it is no part of the
     * stream id).
     */
    private static SnapshotIdentity thin(ThinSnapshot snap) {
        if (snap.lvUuid().isEmpty()) {
            Log.verbose(snap.name() + " has no UUID in LVM's report: the receiver knows it by its pool and thin id");
        }
        return new SnapshotIdentity(SnapshotIdentity.Kind.THIN, text(snap.name().toString()),
                snap.lvUuid().flatMap(StreamIdentities::text), snap.originUuid().flatMap(StreamIdentities::text),
                snap.pool().uuid().flatMap(StreamIdentities::text), OptionalLong.of(snap.thinId()),
                OptionalLong.of(snap.pool().transactionId()));
    }

    /** A classic snapshot: its LV's and its origin's device-mapper UUIDs, which LVM keeps across renames. */
    private static SnapshotIdentity classic(ClassicSnapshot snap) throws IOException {
        Optional<String> lvUuid;
        Optional<String> originUuid;
        try (DmClient dm = DmClient.open()) {
            lvUuid = uuid(dm.info(snap.dmName()));
            originUuid = uuid(dm.info(snap.origin()));
        }
        if (lvUuid.isEmpty()) {
            Log.verbose(snap.name() + " has no device-mapper UUID: the receiver cannot check which snapshot it holds");
        }
        return new SnapshotIdentity(SnapshotIdentity.Kind.CLASSIC, text(snap.name().toString()), lvUuid, originUuid,
                Optional.empty(), OptionalLong.empty(), OptionalLong.empty());
    }

    private static Optional<String> uuid(DmInfo info) {
        return info.exists() ? text(info.uuid()) : Optional.empty();
    }

    /** A value the identity may carry: printable ASCII of 1..255 bytes, else nothing. */
    private static Optional<String> text(String s) {
        if (s == null || s.isEmpty() || s.length() > SnapshotIdentity.MAX_TEXT
                || !s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return Optional.empty();
        }
        return Optional.of(s);
    }

    /**
     * The stream of {@code runs} on a device of {@code deviceSize} bytes from {@code source},
     * leading from {@code base} (an increment) or from a full copy (empty).
     */
    public static StreamIdentity identity(SnapshotIdentity source, Optional<SnapshotIdentity> base, long deviceSize,
                                          RunList runs) {
        long size = roundUp(deviceSize);
        return new StreamIdentity(streamId(source, base, false, size, runs), size, runs.unitBytes(), source, base);
    }

    /** The stream of {@code runs} that writes the whole device of {@code deviceSize} bytes from {@code source}. */
    public static StreamIdentity wholeDevice(SnapshotIdentity source, long deviceSize, RunList runs) {
        long size = roundUp(deviceSize);
        return StreamIdentity.wholeDevice(streamId(source, Optional.empty(), true, size, runs), size,
                runs.unitBytes(), source);
    }

    /** A file standing in for a device may end anywhere; the identity counts whole sectors. */
    private static long roundUp(long deviceSize) {
        return (deviceSize + 511) / 512 * 512;
    }

    /** For streams of a device's own changes without a snapshot behind them (tests, benchmarks). */
    public static StreamIdentity forDevice(String name, long deviceSize, RunList runs) {
        SnapshotIdentity source = new SnapshotIdentity(SnapshotIdentity.Kind.CLASSIC, text(name), Optional.empty(),
                Optional.empty(), Optional.empty(), OptionalLong.empty(), OptionalLong.empty());
        return identity(source, Optional.empty(), deviceSize, runs);
    }

    /**
     * SHA-256 over what makes the stream what it is, as a version-8 (custom) UUID. A
     * whole-device stream differs from the changes of the same snapshot even where their
     * run lists agree (its data comes from the snapshot, theirs from the origin), so the
     * marker is part of it; other streams keep the ids they had before it existed.
     */
    static UUID streamId(SnapshotIdentity source, Optional<SnapshotIdentity> base, boolean wholeDevice,
                         long deviceSize, RunList runs) {
        MessageDigest sha = sha256();
        sha.update("lvmsync stream id 1\n".getBytes(StandardCharsets.US_ASCII));
        snapshot(sha, source);
        if (wholeDevice) {
            sha.update("whole device\n".getBytes(StandardCharsets.US_ASCII));
        }
        base.ifPresent(b -> snapshot(sha, b));
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        b.putLong(deviceSize).putLong(runs.unitBytes()).putLong(runs.runCount());
        for (RunList.Cursor c = runs.cursor(); c.next(); ) {
            if (b.remaining() < 16) {
                sha.update(b.flip());
                b.clear();
            }
            b.putLong(c.offset()).putLong(c.length());
        }
        sha.update(b.flip());
        ByteBuffer d = ByteBuffer.wrap(sha.digest());
        long hi = d.getLong() & ~0xf000L | 0x8000L;               // version 8
        long lo = d.getLong() & 0x3fffffffffffffffL | 0x8000000000000000L;   // variant 10
        return new UUID(hi, lo);
    }

    /**
     * The fields that tell snapshots apart: not the name (LVM renames keep the snapshot),
     * nor a thin pool's transaction id, which any write anywhere in the pool moves on; the
     * run list says what changed.
     */
    private static void snapshot(MessageDigest sha, SnapshotIdentity s) {
        StringBuilder b = new StringBuilder().append(s.kind()).append('\n');
        s.lvUuid().ifPresent(v -> b.append("lv ").append(v).append('\n'));
        s.originUuid().ifPresent(v -> b.append("origin ").append(v).append('\n'));
        s.poolUuid().ifPresent(v -> b.append("pool ").append(v).append('\n'));
        s.thinId().ifPresent(v -> b.append("thin ").append(v).append('\n'));
        if (s.lvUuid().isEmpty() && s.poolUuid().isEmpty()) {
            s.name().ifPresent(v -> b.append("name ").append(v).append('\n'));   // nothing better to go by
        }
        sha.update(b.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }
}
