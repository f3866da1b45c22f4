package org.lvmsync.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.lvmsync.apply.Applier;
import org.lvmsync.cow.CowChangeSource;
import org.lvmsync.discover.ClassicSnapshot;
import org.lvmsync.discover.DeviceNodes;
import org.lvmsync.discover.DmView;
import org.lvmsync.discover.SnapshotDiscovery;
import org.lvmsync.discover.SnapshotName;
import org.lvmsync.dm.DmClient;
import org.lvmsync.os.FileStat;
import org.lvmsync.os.Fd;
import org.lvmsync.ExitCode;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.cli.SendOptions;
import org.lvmsync.lvm.LvName;
import org.lvmsync.transport.RecordSink;
import org.lvmsync.transport.RemoteCommand;
import org.lvmsync.transport.RemoteSink;
import org.lvmsync.transport.StdoutSink;

/**
 * The sending form, {@code lvmsync [options] <snapshot> [--stdout | [<host>:]<destdevice>]}:
 * find what changed, open the sink, send the changed data, report.
 */
public final class SendCommand {
    private SendCommand() {
    }

    /** IOExceptions are left to the CLI, which maps them (and their subtypes) to exit codes. */
    public static ExitCode run(SendOptions options) throws IOException {
        if (options.stdout() && Fd.stdout().isTerminal()) {
            throw new LvmsyncException(ExitCode.USAGE, "--stdout writes a binary change stream, and stdout is a"
                    + " terminal; redirect it to a file (> changes) or pipe it (| ssh dst lvmsync --apply - DEST)");
        }
        try (Discovered found = discover(options.snapshot())) {
            ChangeSource changes = found.changes();
            Path source = options.dataSource().map(Path::of).orElse(changes.origin());
            if (!options.stdout() && options.host().isEmpty()) {
                refuseOwnDevices(Path.of(options.destination().orElseThrow()),
                        List.of(changes.origin(), Path.of(found.name().mapperPath()), source));
            }
            flushOrigin(changes.origin());
            RunList runs = changes.changes();
            Log.verbose(changes.describe() + ": " + runs.runCount() + " runs, " + runs.totalBytes()
                    + " bytes changed; reading them from " + source);
            try (RecordSink sink = openSink(options)) {
                send(runs, source, sink);
            }
            return ExitCode.OK;
        }
    }

    /** The snapshot as named, and where its changes are recorded. */
    record Discovered(LvName name, ChangeSource changes) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            changes.close();
        }
    }

    /** Finds the snapshot's origin and where its changes are recorded, from the live dm tables. */
    static Discovered discover(String argument) throws IOException {
        Optional<LvName> named = SnapshotName.parse(argument);
        try (DmClient dm = DmClient.open()) {
            DmView view = DmView.of(dm);
            LvName snapshot = named.isPresent() ? named.get() : SnapshotName.byDevice(argument, view);
            ClassicSnapshot snap = new SnapshotDiscovery(view).classic(snapshot);
            DeviceNodes nodes = new DeviceNodes();
            warnIfInUse(snapshot, snap.originOpenCount());
            Log.debug(snapshot + ": snapshot of " + snap.origin() + " (real " + snap.originReal() + "), COW "
                    + snap.cow() + ", chunk " + snap.chunkBytes() + " bytes, " + snap.sizeBytes() + " bytes");
            return new Discovered(snapshot, new CowChangeSource(nodes.path(snap.cow()), nodes.path(snap.origin()),
                    snap.sizeBytes(), snap.chunkBytes()));
        }
    }

    /**
     * The sync is exact only once the origin stopped changing. A holder (a mounted
     * filesystem, a VM still running) may have writes cached that the snapshot has not
     * seen yet: say so, but go on, since a first pass while the service runs is normal.
     */
    private static void warnIfInUse(LvName snapshot, int holders) {
        if (holders > 0) {
            Log.warn("the origin of " + snapshot + " is open by " + holders + " holder" + (holders == 1 ? "" : "s")
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
                throw new LvmsyncException(ExitCode.USAGE, "destination " + destination + " is the same device as "
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

    /** The sink the options ask for: stdout, a remote apply over --rsh, or a local apply. */
    public static RecordSink openSink(SendOptions options) throws IOException {
        if (options.stdout()) {
            return new StdoutSink();
        }
        String destination = options.destination().orElseThrow();
        if (options.host().isPresent()) {
            String host = options.host().get();
            Log.Level level = Log.level();
            List<String> words = RemoteCommand.remoteWords(destination, options.snapback(),
                    level == Log.Level.VERBOSE || level == Log.Level.DEBUG, level == Log.Level.DEBUG,
                    options.skipPastEnd());
            List<String> argv;
            try {
                argv = RemoteCommand.argv(options.rsh(), host, words);
            } catch (IllegalArgumentException e) {
                throw new LvmsyncException(ExitCode.USAGE, e.getMessage() + " in destination " + host + ":" + destination);
            }
            return RemoteSink.start(argv, host + ":" + destination);
        }
        return Applier.open(Path.of(destination), options.snapback(), options.skipPastEnd());
    }

    /**
     * Sends the changed data of {@code source} (the origin, or --data-source) to the sink,
     * finishes the sink, and prints the original's summary. Returns the data bytes sent.
     */
    public static long send(RunList runs, Path source, RecordSink sink) throws IOException {
        try (DirectReader reader = DirectReader.open(source)) {
            Progress progress = Progress.forStderr(Math.min(runs.totalBytes(), reader.size()));
            long sent = new Sender(reader, sink, progress).send(runs);
            sink.finish();
            progress.finish();
            for (String line : Progress.summary(sent, progress.elapsedNanos(), reader.size())) {
                Log.info(line);
            }
            return sent;
        }
    }
}
