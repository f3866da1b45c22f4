package org.lvmsync.transport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 *
 * <p>The classic stream has no end marker: a remote that sees end of file right after a
 * record takes the stream for complete, applies it and exits 0. A run stopped by a signal
 * never reaches {@link #close()}, and the pipe would close at exit on whatever record
 * boundary the last write left. So while a sink is open a shutdown hook cuts the stream
 * on purpose: it waits for the record being written (writes and the hook share one lock),
 * appends a single byte, which no format can read as a whole record, and closes the pipe;
 * the remote then fails on a cut record and says so. This holds when the signal reaches
 * this process only ({@code kill}, {@code timeout}); one that also kills the remote shell
 * (Ctrl-C on a terminal, a whole cgroup stopped) ends the connection before the byte goes
 * out, which only a stream format with an end marker can tell from a complete stream.
 */
public final class RemoteSink implements RecordSink {
    /** How long a remote that stopped reading gets to report its exit status. */
    private static final long EXIT_WAIT_SECONDS = 10;
    /** How long the shutdown hook waits for a record being written before it gives up on cutting cleanly. */
    private static final long CUT_WAIT_SECONDS = 5;

    private final String where;
    private final Process process;
    private final Thread relay;
    private final BackChannel back;
    private final Pipe pipe;
    private final StreamSink stream;
    /** Held for every write into the stream and by the shutdown hook: the hook cuts between records. */
    private final ReentrantLock writing = new ReentrantLock();
    private final Thread cutOnExit = new Thread(this::cutOnExit, "lvmsync-remote-cut");
    private boolean finished;
    /** The stream ended: whole (finish), or cut by the hook. Nothing more goes into the pipe. */
    private boolean streamEnded;
    /** A write into the pipe failed: how much of it went out is unknown, so is the last record boundary. */
    private boolean torn;

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
            RemoteSink sink = new RemoteSink(where, process, relay, back, pipe, stream);
            Runtime.getRuntime().addShutdownHook(sink.cutOnExit);
            return sink;
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
        IOException failed = null;
        writing.lock();
        try {
            if (streamEnded) {
                throw new IllegalStateException("the stream to " + where + " has ended");
            }
            stream.accept(record, payload);
        } catch (IOException e) {
            torn = true;
            failed = e;
        } finally {
            writing.unlock();
        }
        if (failed != null) {
            throw stoppedReading(failed);
        }
    }

    @Override
    public void finish() throws IOException {
        IOException failed = null;
        writing.lock();
        try {
            if (streamEnded) {
                throw new IllegalStateException("the stream to " + where + " has ended");
            }
            stream.finish();
            stream.close();
            streamEnded = true;
        } catch (IOException e) {
            torn = true;
            failed = e;
        } finally {
            writing.unlock();
        }
        if (failed != null) {
            throw stoppedReading(failed);
        }
        int status = waitFor();
        finished = true;
        relayUnread();
        if (status != 0) {
            throw new LvmsyncException(FailureClass.REMOTE, failure(status));
        }
    }

    /**
     * The shutdown hook (SIGTERM, SIGINT): cuts an unfinished stream one byte past its last
     * whole record and closes the pipe, then gives the remote the usual time to fail and
     * say why. If a write is stuck (a remote that stopped reading), or went wrong midway,
     * the boundary is unknown: then the remote shell is stopped instead.
     */
    private void cutOnExit() {
        boolean locked = false;
        try {
            locked = writing.tryLock(CUT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (streamEnded) {
                return;   // complete, or ended already: the remote decides
            }
            if (!locked) {
                // a write is stuck in the pipe: stopping the remote makes it fail; the pipe
                // stays open under the writer, the exit closes it
                stopRemote();
                return;
            }
            streamEnded = true;
            if (!torn && cutStream()) {
                closeQuietly(pipe);
                if (awaitExit()) {
                    return;
                }
            }
            stopRemote();
            closeQuietly(pipe);
        } finally {
            if (locked) {
                writing.unlock();
            }
        }
    }

    /** One byte after the last whole record: a record no receiver can complete. */
    private boolean cutStream() {
        try (Arena arena = Arena.ofConfined()) {
            pipe.writeEnd().write(arena.allocate(1));
            Log.debug("stopped: the stream to " + where + " is cut after its last whole record");
            return true;
        } catch (IOException | RuntimeException e) {
            Log.debug("cutting the stream to " + where + ": " + e.getMessage());
            return false;
        }
    }

    private boolean awaitExit() {
        try {
            if (process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                joinRelay();
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
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
        try {
            Runtime.getRuntime().removeShutdownHook(cutOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it cuts what is unfinished
        }
        writing.lock();
        try {
            if (!finished) {
                stopRemote();
            }
            streamEnded = true;
            try {
                stream.close();
            } catch (IOException e) {
                Log.debug("closing the stream to the remote side: " + e.getMessage());
            }
            closeQuietly(pipe);
        } finally {
            writing.unlock();
        }
        joinRelay();
    }

    /**
     * Stops the remote shell, children first: a shell between us and the remote command may
     * not exec it, and an orphan would keep the relayed pipes open.
     */
    private void stopRemote() {
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
