package org.lvmsync.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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

    public static ExitCode run(SendOptions options) {
        LvName snapshot = LvName.parse(options.snapshot());
        try (ChangeSource changes = discover(snapshot)) {
            RunList runs = changes.changes();
            Path source = options.dataSource().map(Path::of).orElse(changes.origin());
            Log.verbose(changes.describe() + ": " + runs.runCount() + " runs, " + runs.totalBytes()
                    + " bytes changed; reading them from " + source);
            try (RecordSink sink = openSink(options)) {
                send(runs, source, sink);
            }
            return ExitCode.OK;
        } catch (IOException e) {
            throw new LvmsyncException(ExitCode.FAILURE, e.getMessage(), e);
        }
    }

    /**
     * Finds the snapshot's origin and where its changes are recorded. Device-mapper
     * discovery wires in here: for a classic snapshot it returns
     * {@code new cow.CowChangeSource(cowDevice, origin, originSize)}.
     */
    static ChangeSource discover(LvName snapshot) throws IOException {
        // cli.MainTest expects this exact text until discovery lands
        throw new LvmsyncException(ExitCode.FAILURE, "sending from a snapshot is not available in this build");
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
        throw new LvmsyncException(ExitCode.FAILURE, "applying to a local device (" + destination
                + ") is not available in this build yet");
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
