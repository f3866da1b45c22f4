package org.lvmsync.job;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.changes.RunList;
import org.lvmsync.changes.SortedRuns;
import org.lvmsync.discover.ClassicSnapshot;
import org.lvmsync.discover.DeviceNodes;
import org.lvmsync.discover.Snapshot;
import org.lvmsync.discover.SnapshotDiscovery;
import org.lvmsync.discover.ThinSnapshot;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.thin.DeviceDetails;
import org.lvmsync.thin.ThinMetadata;
import org.lvmsync.thin.ThinRuns;

/**
 * What one send will do, decided from the snapshot and the mode before anything is read:
 * which device the data comes from, which devices the run reads (a local destination
 * must be none of them), and how the runs are found. Finding the runs is deferred to
 * {@link #runs()}, after the destination has been checked, because for a thin snapshot it
 * reserves a metadata snapshot of the pool.
 *
 * <p>Sizes of thin devices: see {@link ThinRuns}; a resize since the snapshot is named in
 * a warning.
 */
final class SendPlan {
    /** How the runs are found. */
    @FunctionalInterface
    interface Runs {
        RunList find() throws IOException;
    }

    private static final long FULL_UNIT = 4096;

    final Path source;
    final List<Path> reads;
    final OptionalLong zeroFillTo;
    /** For an increment (--since), the older snapshot it leads from: the stream's base. */
    final Optional<Snapshot> base;
    /** A --full copy: the runs and the zero fill write the whole device, so the stream leads from nothing. */
    final boolean wholeDevice;
    private final Runs runs;
    private final Optional<Path> flush;

    /**
     * @param source     where the data is read from (unless --data-source)
     * @param reads      every device this run reads
     * @param zeroFillTo a full copy that sends only mapped blocks: up to this size, what no
     *                   run covers must read as zeros on the destination
     * @param flush      a device whose dirty pages must reach it before the changes are read
     */
    private SendPlan(Path source, List<Path> reads, OptionalLong zeroFillTo, Runs runs, Optional<Path> flush) {
        this(source, reads, zeroFillTo, Optional.empty(), false, runs, flush);
    }

    private SendPlan(Path source, List<Path> reads, OptionalLong zeroFillTo, Optional<Snapshot> base,
                     boolean wholeDevice, Runs runs, Optional<Path> flush) {
        this.source = source;
        this.reads = List.copyOf(reads);
        this.zeroFillTo = zeroFillTo;
        this.base = base;
        this.wholeDevice = wholeDevice;
        this.runs = runs;
        this.flush = flush;
    }

    static SendPlan of(Snapshot snapshot, SendMode mode, DeviceNodes nodes) throws IOException {
        return switch (mode) {
            case SendMode.Changes c -> changes(snapshot, nodes);
            case SendMode.Since s -> since(snapshot, SnapshotDiscovery.find(s.older()), nodes);
            case SendMode.Full f -> full(snapshot, nodes);
        };
    }

    /** What the stream of {@code runs} says it is: a --full copy leads from nothing, an increment from its base. */
    StreamIdentity identity(Snapshot snapshot, long deviceSize, RunList runs) throws IOException {
        return wholeDevice ? StreamIdentities.full(snapshot, deviceSize, runs)
                : StreamIdentities.of(snapshot, base, deviceSize, runs);
    }

    /** Flushes what must be flushed, then finds the runs. */
    RunList runs() throws IOException {
        if (flush.isPresent()) {
            SendJob.flushOrigin(flush.get());
        }
        return runs.find();
    }

    private static SendPlan changes(Snapshot snapshot, DeviceNodes nodes) throws IOException {
        SendJob.warnIfInUse(snapshot);
        Path origin = nodes.path(snapshot.origin());
        List<Path> reads = new ArrayList<>(List.of(origin, Path.of(snapshot.name().mapperPath())));
        return switch (snapshot) {
            case ClassicSnapshot classic -> new SendPlan(origin, reads, OptionalLong.empty(),
                    () -> SendJob.classicChanges(classic, nodes), Optional.of(origin));
            case ThinSnapshot thin -> {
                warnResized(thin.name().toString(), thin.sizeBytes(), "its origin " + thin.originName(),
                        thin.originSizeBytes());
                yield new SendPlan(origin, reads, OptionalLong.empty(), () -> ThinChanges.changes(thin.pool(), nodes,
                        thin.thinId(), thin.originThinId(), thin.sizeBytes(), thin.originSizeBytes()), Optional.of(origin));
            }
        };
    }

    private static SendPlan since(Snapshot newer, Snapshot older, DeviceNodes nodes) throws IOException {
        ThinSnapshot nw = thin(newer, "--since");
        ThinSnapshot od = thin(older, "--since");
        if (od.name().equals(nw.name())) {
            throw usage("--since " + od.name() + " names the snapshot being sent; give an older snapshot of "
                    + nw.originName());
        }
        if (!od.pool().dev().equals(nw.pool().dev())) {
            throw usage("--since " + od.name() + " is in thin pool " + od.pool().lv() + ", " + nw.name() + " in "
                    + nw.pool().lv() + ": an increment is between two snapshots of one origin");
        }
        if (!od.originName().equals(nw.originName())) {
            throw usage("--since " + od.name() + " is a snapshot of " + od.originName() + ", " + nw.name() + " of "
                    + nw.originName() + ": an increment is between two snapshots of one origin");
        }
        Path source = active(nw, nodes, "--since reads the data from it");
        warnResized(od.name().toString(), od.sizeBytes(), nw.name().toString(), nw.sizeBytes());
        List<Path> reads = List.of(source, Path.of(od.name().mapperPath()), nodes.path(nw.origin()));
        return new SendPlan(source, reads, OptionalLong.empty(), Optional.of(od), false,
                () -> ThinChanges.read(nw.pool(), nodes, view -> {
                    checkOrder(view, od, nw);
                    return ThinRuns.changes(view, od.thinId(), nw.thinId(), od.sizeBytes(), nw.sizeBytes());
                }), Optional.empty());
    }

    private static SendPlan full(Snapshot snapshot, DeviceNodes nodes) throws IOException {
        return switch (snapshot) {
            case ClassicSnapshot classic -> {
                // the origin, whole: whatever changes while it is read, the snapshot records, and the next sync sends
                Path origin = nodes.path(classic.origin());
                yield fullCopy(origin, List.of(origin, Path.of(classic.name().mapperPath())), OptionalLong.empty(),
                        () -> whole(classic.sizeBytes()));
            }
            case ThinSnapshot thin -> {
                Path source = active(thin, nodes, "--full reads the data from it");
                yield fullCopy(source, List.of(source, nodes.path(thin.origin())), OptionalLong.of(thin.sizeBytes()),
                        () -> ThinChanges.mapped(thin.pool(), nodes, thin.thinId(), thin.sizeBytes()));
            }
        };
    }

    private static SendPlan fullCopy(Path source, List<Path> reads, OptionalLong zeroFillTo, Runs runs) {
        return new SendPlan(source, reads, zeroFillTo, Optional.empty(), true, runs, Optional.empty());
    }

    private static RunList whole(long sizeBytes) {
        SortedRuns runs = new SortedRuns(FULL_UNIT);
        long units = sizeBytes / FULL_UNIT + (sizeBytes % FULL_UNIT == 0 ? 0 : 1);
        if (units > 0) {
            runs.add(0, units);
        }
        return runs.build();
    }

    private static ThinSnapshot thin(Snapshot snapshot, String option) {
        return switch (snapshot) {
            case ThinSnapshot t -> t;
            case ClassicSnapshot c -> throw usage(option + " works with thin snapshots; " + c.name()
                    + " is a classic one (a classic snapshot records changes since itself only: sync it without "
                    + option + ")");
        };
    }

    /** The snapshot's own device, which must be active: LVM leaves thin snapshots inactive unless asked. */
    private static Path active(ThinSnapshot snapshot, DeviceNodes nodes, String why) throws IOException {
        if (snapshot.device().isEmpty()) {
            throw new LvmsyncException(FailureClass.SNAPSHOT_UNUSABLE, snapshot.name() + " is not active, and " + why
                    + ": activate it with lvchange -ay -K " + snapshot.name()
                    + " (-K: LVM skips thin snapshots by default)");
        }
        return nodes.path(snapshot.device().get());
    }

    /** Refuses OLDER newer than NEWER, when the pool's snapshot epochs tell (a later snapshot has a later one). */
    private static void checkOrder(ThinMetadata view, ThinSnapshot older, ThinSnapshot newer) {
        DeviceDetails o = view.details(older.thinId());
        DeviceDetails n = view.details(newer.thinId());
        if (Integer.compareUnsigned(o.creationTime(), n.creationTime()) > 0) {
            throw usage("--since " + older.name() + " was taken after " + newer.name() + " (pool snapshot times "
                    + Integer.toUnsignedString(o.creationTime()) + " and " + Integer.toUnsignedString(n.creationTime())
                    + "): name the older snapshot after --since, the newer one to send");
        }
    }

    private static void warnResized(String older, long olderBytes, String newer, long newerBytes) {
        if (newerBytes < olderBytes) {
            Log.warn(newer + " is " + newerBytes + " bytes, smaller than " + older + " (" + olderBytes + " bytes): it"
                    + " shrank; nothing past byte " + newerBytes + " is sent, and the destination keeps what it holds"
                    + " there (shrink it to " + newerBytes + " bytes to match)");
        } else if (newerBytes > olderBytes) {
            Log.warn(newer + " is " + newerBytes + " bytes, larger than " + older + " (" + olderBytes + " bytes): it"
                    + " grew; everything from byte " + olderBytes + " on is sent (its new blocks, zeros where it maps"
                    + " none), so the destination must be " + newerBytes + " bytes or larger");
        }
    }

    private static LvmsyncException usage(String message) {
        return new LvmsyncException(FailureClass.USAGE, message);
    }
}
