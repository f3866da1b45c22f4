package org.lvmsync.job;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.apply.Applier;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.transport.RemoteCommand;
import org.lvmsync.transport.RemoteSink;
import org.lvmsync.transport.StdoutSink;

/** The sink a send request asks for: stdout, a remote apply over --rsh, or a local apply. */
public final class Sinks {
    private Sinks() {
    }

    public static RecordSink open(SendRequest request) throws IOException {
        return open(request, List.of());
    }

    /** The same, with {@code applyOptions} given to a remote {@code lvmsync --apply} before its destination. */
    public static RecordSink open(SendRequest request, List<String> applyOptions) throws IOException {
        if (request.stdout()) {
            return new StdoutSink();
        }
        String destination = request.destination().orElseThrow();
        if (request.host().isPresent()) {
            return remote(request, request.host().get(), destination, applyOptions);
        }
        return Applier.open(Path.of(destination), request.snapback(), request.skipPastEnd());
    }

    private static RecordSink remote(SendRequest request, String host, String destination, List<String> applyOptions) {
        Log.Level level = Log.level();
        List<String> words = RemoteCommand.remoteWords(destination, request.snapback(),
                level == Log.Level.VERBOSE || level == Log.Level.DEBUG, level == Log.Level.DEBUG,
                request.skipPastEnd(), applyOptions);
        List<String> argv;
        try {
            argv = RemoteCommand.argv(request.rsh(), host, words);
        } catch (IllegalArgumentException e) {
            throw new LvmsyncException(FailureClass.USAGE, e.getMessage() + " in destination " + host + ":" + destination);
        }
        return RemoteSink.start(argv, host + ":" + destination);
    }
}
