package org.lvmsync.transport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FdChannel;
import org.lvmsync.os.Pipe;
import org.lvmsync.os.Splice;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;

/**
 * Sends the change stream to {@code lvmsync --apply -} on another host: starts the remote
 * shell from an argument vector (see {@link RemoteCommand}), writes the stream to its
 * stdin, relays its stderr to ours line by line as {@code remote: ...}, keeps its stdout
 * as a channel back from the receiver ({@link #replies()}), and on {@link #finish()}
 * waits for its exit status. A remote that fails, or stops reading, fails this run with
 * {@link FailureClass#REMOTE}.
 *
 * <p>The remote shell's stdin is a pipe made here (not Java's process pipe), and the
 * stream is written into it with write(2) straight from the sender's native buffers: the
 * kernel copies each byte once, into the pipe, with no stop on the Java heap on the way
 * (the old path copied every record into a byte[] and again into a malloc'd buffer
 * inside FileOutputStream). Why write(2) and not vmsplice: see {@link Splice}.
 */
public final class RemoteSink implements RecordSink {
    /** How long a remote that stopped reading gets to report its exit status. */
    private static final long EXIT_WAIT_SECONDS = 10;

    private final String where;
    private final Process process;
    private final Thread relay;
    private final BackChannel back;
    private final Pipe pipe;
    private final StreamSink stream;
    private boolean finished;

    private RemoteSink(String where, Process process, Thread relay, BackChannel back, Pipe pipe, StreamSink stream) {
        this.where = where;
        this.process = process;
        this.relay = relay;
        this.back = back;
        this.pipe = pipe;
        this.stream = stream;
    }

    /**
     * Starts {@code argv} (from {@link RemoteCommand#argv}); {@code where} names the
     * destination in messages, e.g. {@code host:/dev/vg/lv}.
     */
    public static RemoteSink start(List<String> argv, String where) {
        Log.debug("starting " + String.join(" ", argv));
        Pipe pipe = openPipe(where);
        Process process;
        try {
            // ProcessBuilder opens the redirect file here in the parent, before it forks,
            // and closes its copy once the child runs: the child's stdin is our pipe.
            process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File(pipe.readEndProcPath())))
                    .start();
        } catch (IOException e) {
            closeQuietly(pipe);
            throw new LvmsyncException(FailureClass.REMOTE, "cannot start the remote shell '" + argv.get(0)
                    + "' for " + where + ": " + e.getMessage() + "; check --rsh", e);
        }
        Thread relay = Thread.ofPlatform().daemon().name("remote-stderr").start(() -> relay(process));
        BackChannel back = BackChannel.start(process.getInputStream(), "remote-stdout");
        try {
            // Only the child may hold a read end: if it dies, our writes must fail with
            // EPIPE instead of blocking on a pipe nobody drains.
            pipe.readEnd().close();
            StreamSink stream = new StreamSink(new FdChannel(pipe.writeEnd()), true);
            return new RemoteSink(where, process, relay, back, pipe, stream);
        } catch (IOException e) {
            process.destroyForcibly();
            closeQuietly(pipe);
            throw new LvmsyncException(FailureClass.REMOTE, "cannot write to the remote side " + where + ": " + e.getMessage(), e);
        }
    }

    private static Pipe openPipe(String where) {
        try {
            return Pipe.open();
        } catch (ErrnoException e) {
            throw new LvmsyncException(FailureClass.IO, "cannot create the pipe to the remote side " + where
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void accept(Record record, MemorySegment payload) throws IOException {
        try {
            stream.accept(record, payload);
        } catch (IOException e) {
            throw stoppedReading(e);
        }
    }

    @Override
    public void finish() throws IOException {
        try {
            stream.finish();
            stream.close();
        } catch (IOException e) {
            throw stoppedReading(e);
        }
        int status = waitFor();
        finished = true;
        relayUnread();
        if (status != 0) {
            throw new LvmsyncException(FailureClass.REMOTE, failure(status));
        }
    }

    /**
     * What the receiver answers on its stdout, in order, apart from its messages (which
     * are relayed). Blocks until bytes arrive; end of stream once the remote closed its
     * stdout. Bytes nobody read by the end of the run are shown as {@code remote:} lines.
     */
    public InputStream replies() {
        return back.replies();
    }

    /** Bytes of stream written to the remote, handshake and headers included. */
    public long streamBytes() {
        return stream.streamBytes();
    }

    /** The write end of the pipe the remote shell reads its stdin from (for tests). */
    Fd pipeWriteEnd() {
        return pipe.writeEnd();
    }

    /**
     * After an unfinished run: stops the remote shell first and only then closes the pipe.
     * The classic stream has no end marker, so a remote that saw end of file before it was
     * killed would take the cut stream for a complete one.
     */
    @Override
    public void close() {
        if (!finished) {
            // children first: a shell between us and the remote command may not exec it,
            // and an orphan would keep the relayed pipes open
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            stream.close();
        } catch (IOException e) {
            Log.debug("closing the stream to the remote side: " + e.getMessage());
        }
        closeQuietly(pipe);
        joinRelay();
    }

    /** Whatever the remote printed on stdout that no one asked for: not hidden, only not mixed in. */
    private void relayUnread() {
        back.awaitEnd(TimeUnit.SECONDS.toMillis(EXIT_WAIT_SECONDS));
        back.unread().lines().forEach(line -> Log.stream().println("remote: " + line));
    }

    private static void closeQuietly(Pipe pipe) {
        try {
            pipe.close();
        } catch (ErrnoException e) {
            Log.debug("closing the pipe to the remote side: " + e.getMessage());
        }
    }

    private LvmsyncException stoppedReading(IOException cause) {
        int status = waitForExit();
        String exit = switch (status) {
            case Integer.MIN_VALUE -> "";
            case 0 -> " (it exited with status 0 before reading everything)";
            default -> " (" + failure(status) + ")";
        };
        return new LvmsyncException(FailureClass.REMOTE, "the remote side " + where + " stopped reading the stream: "
                + cause.getMessage() + exit, cause);
    }

    private String failure(int status) {
        String hint = switch (status) {
            case 127 -> "; is lvmsync installed and in the PATH on the remote host?";
            case 255 -> "; the remote shell could not connect or was cut off";
            default -> "; see the remote: lines above";
        };
        return "remote apply to " + where + " failed with exit status " + status + hint;
    }

    /** Waits for the exit after stdin is closed; the remote may take long to sync its writes. */
    private int waitFor() throws IOException {
        try {
            int status = process.waitFor();
            joinRelay();
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the remote side " + where);
        }
    }

    /** The exit status after a broken pipe, or MIN_VALUE if the remote does not exit soon. */
    private int waitForExit() {
        try {
            if (process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                joinRelay();
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Integer.MIN_VALUE;
    }

    private void joinRelay() {
        try {
            relay.join(TimeUnit.SECONDS.toMillis(EXIT_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void relay(Process process) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Log.stream().println("remote: " + line);
            }
        } catch (IOException e) {
            Log.debug("relay of remote output ended: " + e.getMessage());
        }
    }
}
