package org.lvmsync.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.lang.foreign.MemorySegment;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.changes.RunList;
import org.lvmsync.cow.CowChangeSource;
import org.lvmsync.discover.ClassicSnapshot;
import org.lvmsync.discover.DeviceNodes;
import org.lvmsync.discover.Snapshot;
import org.lvmsync.discover.SnapshotDiscovery;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.IoEngines;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FileStat;
import org.lvmsync.report.Progress;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.stream.Resumable;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.sync.ReadGap;
import org.lvmsync.sync.Sender;

/**
 * The sending form, {@code lvmsync [options] <snapshot> [--stdout | [<host>:]<destdevice>]}:
 * find what changed, open the sink, send the changed data, report. The one place where
 * discovery, change source, sender and sink meet.
 */
public final class SendJob {
    private SendJob() {
    }

    public static void run(SendRequest request) throws IOException {
        run(request, new SendMode.Changes());
    }

    public static void run(SendRequest request, SendMode mode) throws IOException {
        if (request.stdout() && Fd.stdout().isTerminal()) {
            throw new LvmsyncException(FailureClass.USAGE, "--stdout writes a binary change stream, and stdout is a"
                    + " terminal; redirect it to a file (> changes) or pipe it (| ssh dst lvmsync --apply - DEST)");
        }
        Snapshot snapshot = SnapshotDiscovery.find(request.snapshot());
        DeviceNodes nodes = new DeviceNodes();
        SendPlan plan = SendPlan.of(snapshot, mode, nodes);
        Path source = request.dataSource().map(Path::of).orElse(plan.source);
        if (!request.stdout() && request.host().isEmpty()) {
            List<Path> own = new java.util.ArrayList<>(plan.reads);
            own.add(source);
            refuseOwnDevices(Path.of(request.destination().orElseThrow()), own);
        }
        RunList runs = plan.runs();
        Log.verbose(snapshot.name() + ": " + runs.runCount() + " runs, " + runs.totalBytes()
                + " bytes to send; reading them from " + source);
        long deviceSize = sizeOf(plan.source);
        StreamIdentity identity = plan.identity(snapshot, deviceSize, runs);
        // a resume point is not trusted while the device the data comes from may still change
        boolean sourceHeld = plan.source.equals(nodes.path(snapshot.origin())) && snapshot.originOpenCount() > 0;
        try (IoEngine reader = IoEngines.open(source)) {
            // before the sink exists: a refused run starts no remote and creates no undo file
            Sender.requireLargeEnough(reader, deviceSize);
            long readGap = ReadGap.of(reader);
            try (RecordSink sink = FullCopy.sink(request, plan.zeroFillTo, Optional.of(identity))) {
                send(runs, deviceSize, reader, sink, identity,
                        request.transfer().resume() ? Resume.ASK : Resume.NO, sourceHeld, readGap);
            }
        }
    }

    /** Whether a send asks its receiver where an interrupted run of the same stream stopped. */
    public enum Resume { NO, ASK }

    static RunList classicChanges(ClassicSnapshot snap, DeviceNodes nodes) throws IOException {
        Log.debug(snap.name() + ": snapshot of " + snap.origin() + " (real " + snap.originReal() + "), COW "
                + snap.cow() + ", chunk " + snap.chunkBytes() + " bytes, " + snap.sizeBytes() + " bytes");
        try (IoEngine cow = IoEngines.openForMetadata(nodes.path(snap.cow()))) {
            return new CowChangeSource(cow, snap.sizeBytes(), snap.chunkBytes()).changes();
        }
    }

    /**
     * The sync is exact only once the origin stopped changing. A holder (a mounted
     * filesystem, a VM still running) may have writes cached that the snapshot has not
     * seen yet: say so, but go on, since a first pass while the service runs is normal.
     */
    static void warnIfInUse(Snapshot snapshot) {
        int holders = snapshot.originOpenCount();
        if (holders > 0) {
            Log.warn("the origin of " + snapshot.name() + " is open by " + holders + " holder" + (holders == 1 ? "" : "s")
                    + " (mounted, or a service still running): writes after this point are not sent;"
                    + " for the final pass stop the service and unmount first");
        }
    }

    /**
     * Writes the origin device's own dirty pages back, so the snapshot records those chunks
     * before its COW is read (a program that wrote the raw device and exited may leave them).
     */
    static void flushOrigin(Path origin) throws IOException {
        try (Fd fd = Fd.open(origin, Fd.O_RDONLY)) {
            if (fd.stat().isBlockDevice()) {
                fd.fsync();
            }
        }
    }

    /**
     * A local destination that is the origin or the snapshot itself would be overwritten
     * with its own data at best and corrupted at worst (writing the origin moves chunks
     * into the COW while we read it): refuse before anything is opened for writing.
     */
    static void refuseOwnDevices(Path destination, List<Path> own) throws IOException {
        if (!Files.exists(destination)) {
            return; // the applier names the missing destination
        }
        String target = rdev(destination);
        for (Path path : own) {
            if (target != null && Files.exists(path) && target.equals(rdev(path))) {
                throw new LvmsyncException(FailureClass.USAGE, "destination " + destination + " is the same device as "
                        + path + ", which this run reads; name the other volume to copy to");
            }
        }
    }

    private static String rdev(Path path) throws IOException {
        try (Fd fd = Fd.open(path, Fd.O_RDONLY)) {
            FileStat st = fd.stat();
            return st.isBlockDevice() ? st.rdev() : null;
        }
    }

    /** The size of the device whose changes are sent (the origin, or the newer snapshot). */
    private static long sizeOf(Path device) throws IOException {
        try (Fd fd = Fd.open(device, Fd.O_RDONLY)) {
            return fd.size();
        }
    }

    /**
     * Sends the changed data of {@code source}, a device whose own changes the runs are
     * (tests, benchmarks), to the sink; see {@link #send(RunList, long, IoEngine, RecordSink)}.
     */
    public static long send(RunList runs, Path source, RecordSink sink) throws IOException {
        try (IoEngine reader = IoEngines.open(source)) {
            return send(runs, reader.size(), reader, sink);
        }
    }

    /** As above, the stream naming itself {@code identity} (see {@link StreamIdentities}). */
    public static long send(RunList runs, Path source, RecordSink sink, StreamIdentity identity, Resume resume)
            throws IOException {
        try (IoEngine reader = IoEngines.open(source)) {
            return send(runs, reader.size(), reader, sink, identity, resume, false);
        }
    }

    /** Sends the changes of a device without a snapshot behind them (tests, benchmarks): a stream named by the device. */
    public static long send(RunList runs, long deviceSize, IoEngine reader, RecordSink sink) throws IOException {
        return send(runs, deviceSize, reader, sink, StreamIdentities.forDevice(reader.name(), deviceSize, runs),
                Resume.NO, false);
    }

    /**
     * Sends the changes of a device of {@code deviceSize} bytes, read from {@code reader}
     * (the origin, or --data-source), to the sink: the stream's header first, then (with
     * {@code resume}) the receiver is asked where an interrupted run of this stream stopped
     * and only the runs from there are sent (see {@link ResumePlan}), then the changes;
     * finishes the sink and prints the original's summary. Returns the data bytes sent.
     *
     * @param originHeld the origin is still open: a resume point is not trusted
     */
    public static long send(RunList runs, long deviceSize, IoEngine reader, RecordSink sink, StreamIdentity identity,
                            Resume resume, boolean originHeld) throws IOException {
        return send(runs, deviceSize, reader, sink, identity, resume, originHeld, ReadGap.of(reader));
    }

    /** As above, runs at most {@code readGap} bytes apart read together (see {@link ReadGap}). */
    private static long send(RunList runs, long deviceSize, IoEngine reader, RecordSink sink, StreamIdentity identity,
                             Resume resume, boolean originHeld, long readGap) throws IOException {
        sink.accept(new Record.Header(identity), MemorySegment.NULL);
        RunList toSend = runs;
        if (resume == Resume.ASK) {
            if (!(sink instanceof Resumable receiver)) {
                throw new LvmsyncException(FailureClass.USAGE, "--resume needs a receiver that can answer (a local"
                        + " destination or host:destination), not a change stream on stdout");
            }
            toSend = ResumePlan.negotiate(receiver, identity, runs, originHeld);
        }
        Progress progress = Progress.forStderr(Math.min(toSend.totalBytes(), deviceSize));
        long sent = new Sender(reader, deviceSize, sink, progress, readGap).send(toSend);
        sink.finish();
        progress.finish();
        for (String line : Progress.summary(sent, progress.elapsedNanos(), deviceSize)) {
            Log.info(line);
        }
        return sent;
    }
}
