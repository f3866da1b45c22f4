package org.lvmsync.transport;

import java.io.IOException;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FdChannel;
import org.lvmsync.stream.StreamWriting;

/**
 * {@code --stdout}: the change stream on file descriptor 1, written with write(2) straight
 * from the native buffers (no System.out, whose PrintStream would copy and might mix in
 * text). Nothing else may ever be written to stdout.
 */
public final class StdoutSink extends StreamSink {
    public StdoutSink() throws IOException {
        this(Fd.stdout());
    }

    /** In the format and with the compression the sender asked for (--protocol, --compress). */
    public StdoutSink(StreamWriting writing) throws IOException {
        super(writing, new FdChannel(Fd.stdout()), false);
    }

    /** The same onto another descriptor it does not own (tests: a test JVM's stdout belongs to its runner). */
    StdoutSink(Fd out) throws IOException {
        super(new FdChannel(out), false);
    }

    /** As above in a given format. */
    StdoutSink(StreamWriting writing, Fd out) throws IOException {
        super(writing, new FdChannel(out), false);
    }
}
