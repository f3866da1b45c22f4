package org.lvmsync.job;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.apply.Applier;
import org.lvmsync.apply.ApplyOptions;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.transport.RemoteCommand;
import org.lvmsync.transport.RemoteSink;
import org.lvmsync.transport.StdoutSink;

/** The sink a send request asks for: stdout, a remote apply over --rsh, or a local apply. */
public final class Sinks {
    private Sinks() {
    }

    /** As {@link #open(SendRequest, Optional, List)} for a stream whose identity the local receiver is not told. */
    public static RecordSink open(SendRequest request) throws IOException {
        return open(request, Optional.empty(), List.of());
    }

    /**
     * @param identity     the stream's identity: a local receiver checks its base against it and
     *                     names it in its undo file before anything is sent
     * @param applyOptions option words of ours given to a remote {@code lvmsync --apply} before
     *                     its destination (e.g. {@code --zero-fill SIZE})
     */
    public static RecordSink open(SendRequest request, Optional<StreamIdentity> identity, List<String> applyOptions)
            throws IOException {
        TransferOptions t = request.transfer();
        if (request.stdout()) {
            return new StdoutSink(t.writing());
        }
        String destination = request.destination().orElseThrow();
        if (request.host().isPresent()) {
            return remote(request, request.host().get(), destination, applyOptions);
        }
        return Applier.open(Path.of(destination), new ApplyOptions(request.snapback(), request.skipPastEnd(),
                t.verify(), t.force(), t.stateDir()), identity);
    }

    private static RecordSink remote(SendRequest request, String host, String destination, List<String> applyOptions) {
        Log.Level level = Log.level();
        List<String> ours = new ArrayList<>();
        TransferOptions t = request.transfer();
        if (t.verify()) {
            ours.add("--verify");
        }
        if (t.resume()) {
            ours.add("--resume");
        }
        if (t.force()) {
            ours.add("--force");
        }
        ours.addAll(applyOptions);
        List<String> words = RemoteCommand.remoteWords(destination, request.snapback(),
                level == Log.Level.VERBOSE || level == Log.Level.DEBUG, level == Log.Level.DEBUG,
                request.skipPastEnd(), ours);
        List<String> argv;
        try {
            argv = RemoteCommand.argv(request.rsh(), host, words);
        } catch (IllegalArgumentException e) {
            throw new LvmsyncException(FailureClass.USAGE, e.getMessage() + " in destination " + host + ":" + destination);
        }
        return RemoteSink.start(argv, host + ":" + destination, t.writing());
    }
}
