package org.lvmsync.bench;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FdChannel;
import org.lvmsync.os.Pipe;
import org.lvmsync.os.Splice;
import org.lvmsync.transport.StreamSink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sender's record data path: one operation encodes 1 GiB of 1 MiB records (classic
 * stream, the real StreamSink) from a 4 MiB aligned native window, as the sender emits
 * them from its O_DIRECT read buffer, onto
 * <ul>
 * <li>{@code target=pipe}: a pipe drained by another thread with 64 KiB read(2)s (what
 *     ssh does with its stdin), or</li>
 * <li>{@code target=devnull}: /dev/null (the cost of the path alone; no vmsplice).</li>
 * </ul>
 * Paths: {@code heap} is RemoteSink before the pipe (each record copied into a byte[],
 * then by FileOutputStream into a malloc'd buffer, then write(2) into the process pipe);
 * {@code write} is write(2) straight from the native window (RemoteSink and StdoutSink
 * now); {@code vmsplice-reuse} maps the window's pages into the pipe and reuses the
 * window (fast, but incorrect for a real sender: see org.lvmsync.os.Splice);
 * {@code vmsplice-release} is the provably safe variant (MADV_DONTNEED after each
 * vmsplice), which pays a page fault and zero-fill per 4 KiB when the window is
 * refilled; the refill is modelled by touching each page, what the next O_DIRECT read
 * would cause. ms/op is milliseconds per GiB: MB/s = 1073.7 / (ms/op) * 1000.
 *
 * <p>Run: {@code -p target=pipe} with all paths, {@code -p target=devnull -p path=heap,write}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class StreamPathBenchmark {
    static final long TOTAL = 1L << 30;
    static final long WINDOW = 4L << 20;
    static final long RECORD = 1L << 20;
    static final int DRAIN_READ = 64 * 1024;

    @Param({"heap", "write", "vmsplice-reuse", "vmsplice-release"})
    public String path;

    @Param({"pipe", "devnull"})
    public String target;

    /** Pipe capacity in KiB (64 is Linux's default). */
    @Param({"64"})
    public int pipeKiB;

    private Arena arena;
    private MemorySegment window;
    private Pipe pipe;
    private Thread drainer;
    private WritableByteChannel channel;
    private boolean touchPages;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        arena = Arena.ofShared();
        window = AlignedBuffer.allocate(arena, WINDOW);
        for (long i = 0; i < WINDOW; i += 8) {
            window.set(ValueLayout.JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
        }
        Fd out;
        String outPath;
        if (target.equals("pipe")) {
            pipe = Pipe.open();
            if (pipeKiB != 64) {
                pipe.resize(pipeKiB * 1024);
            }
            drainer = Thread.ofPlatform().name("drain").start(() -> drain(pipe.readEnd()));
            out = pipe.writeEnd();
            outPath = "/proc/self/fd/" + out.raw();
        } else if (target.equals("devnull")) {
            if (path.startsWith("vmsplice")) {
                throw new IllegalArgumentException("vmsplice needs a pipe: use target=pipe");
            }
            out = Fd.open(Path.of("/dev/null"), Fd.O_WRONLY);
            outPath = "/dev/null";
        } else {
            throw new IllegalArgumentException("target " + target);
        }
        channel = switch (path) {
            case "heap" -> new HeapCopyChannel(new BufferedOutputStream(new FileOutputStream(outPath)));
            case "write" -> new FdChannel(out);
            case "vmsplice-reuse" -> new VmspliceChannel(out, false);
            case "vmsplice-release" -> new VmspliceChannel(out, true);
            default -> throw new IllegalArgumentException("path " + path);
        };
        touchPages = path.equals("vmsplice-release");
        if (path.equals("heap")) {
            out.close();   // the stream has its own descriptor of the same pipe / device
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        channel.close();
        if (pipe != null) {
            pipe.writeEnd().close();
            drainer.join();
            pipe.close();
        }
        arena.close();
    }

    @Benchmark
    public long send() throws IOException {
        StreamSink sink = new StreamSink(channel, false);
        for (long done = 0; done < TOTAL; done += WINDOW) {
            refill();
            for (long r = 0; r < WINDOW; r += RECORD) {
                sink.data(done + r, window.asSlice(r, RECORD));
            }
        }
        sink.finish();
        return sink.streamBytes();
    }

    /** What the next read into the window costs the CPU: nothing with DMA, unless the pages were released. */
    private void refill() {
        if (touchPages) {
            for (long p = 0; p < WINDOW; p += AlignedBuffer.ALIGNMENT) {
                window.set(ValueLayout.JAVA_LONG, p, p);
            }
        }
    }

    private static void drain(Fd in) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buffer = AlignedBuffer.allocate(a, DRAIN_READ);
            while (in.read(buffer) > 0) {
                // consumed: the kernel copied the bytes out of the pipe
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RemoteSink's former channel onto Process.getOutputStream(): a byte[] bounce per record. */
    static final class HeapCopyChannel implements WritableByteChannel {
        private static final int CHUNK = 1 << 20;
        private final OutputStream out;
        private byte[] bounce = new byte[64 * 1024];
        private boolean open = true;

        HeapCopyChannel(OutputStream out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            int total = src.remaining();
            while (src.hasRemaining()) {
                int n = Math.min(src.remaining(), CHUNK);
                if (bounce.length < n) {
                    bounce = new byte[Math.max(n, Math.min(CHUNK, bounce.length * 2))];
                }
                src.get(bounce, 0, n);
                out.write(bounce, 0, n);
            }
            return total;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() throws IOException {
            open = false;
            out.close();
        }
    }

    /** Payloads (direct, 64 KiB or more) by vmsplice; the encoder's header buffer by write(2). */
    static final class VmspliceChannel implements WritableByteChannel {
        private final Fd pipe;
        private final boolean release;

        VmspliceChannel(Fd pipe, boolean release) {
            this.pipe = pipe;
            this.release = release;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            MemorySegment data = MemorySegment.ofBuffer(src);
            if (src.isDirect() && n >= 64 * 1024) {
                if (release) {
                    Splice.vmspliceAndRelease(pipe, data);
                } else {
                    Splice.vmspliceFully(pipe, data, 0);
                }
            } else {
                pipe.write(data);   // the encoder reuses its header buffer at once
            }
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return pipe.isOpen();
        }

        @Override
        public void close() {
        }
    }
}
