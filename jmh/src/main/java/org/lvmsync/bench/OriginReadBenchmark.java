package org.lvmsync.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.Fd;
import org.lvmsync.io.PreadEngine;
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
 * Reading the origin: {@code mode=direct} is the sender's PreadEngine (O_DIRECT),
 * {@code mode=buffered} plain pread(2) through the page cache (what the original did),
 * with the file's cached pages dropped before every operation so both read the disk.
 * {@code pattern=sequential}: the whole 1 GiB image in 4 MiB reads (a full copy);
 * {@code pattern=scattered}: 1% of its 4 KiB chunks (2621, sorted), one read each,
 * which is what the sender's windows come down to at that density (gaps far above 64 KiB).
 * Sequential MB/s = 1073.7 / (ms/op) * 1000; scattered MB/s = 10.7 / (ms/op) * 1000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class OriginReadBenchmark {
    static final long IO = 4L << 20;
    static final long CHUNK = 4096;

    @Param({"direct", "buffered"})
    public String mode;

    @Param({"sequential", "scattered"})
    public String pattern;

    private Path image;
    private Arena arena;
    private MemorySegment buffer;
    private PreadEngine direct;
    private Fd buffered;
    private long[] chunks;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        image = BenchFiles.filled("bench-origin-1g.img", BenchFiles.GIB);
        arena = Arena.ofShared();
        buffer = AlignedBuffer.allocate(arena, IO);
        direct = PreadEngine.open(image);
        if (!direct.isDirect()) {
            throw new IllegalStateException(image + ": O_DIRECT refused; put -Dlvmsync.bench.dir on a real disk");
        }
        buffered = Fd.open(image, Fd.O_RDONLY);
        int count = (int) (BenchFiles.GIB / CHUNK / 100);
        chunks = BenchFiles.sortedSlots(BenchFiles.GIB / CHUNK, count, 11);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        direct.close();
        buffered.close();
        arena.close();
    }

    /** Cold start for both modes: nothing of the image in the page cache. */
    @Setup(Level.Invocation)
    public void dropCachedPages() throws IOException {
        buffered.fadviseDontNeed(0, 0);
    }

    @Benchmark
    public long read() throws IOException {
        long total = 0;
        if (pattern.equals("sequential")) {
            for (long at = 0; at < BenchFiles.GIB; at += IO) {
                total += read(buffer, at);
            }
        } else {
            MemorySegment chunk = buffer.asSlice(0, CHUNK);
            for (long c : chunks) {
                total += read(chunk, c * CHUNK);
            }
        }
        return total;
    }

    private long read(MemorySegment dst, long offset) throws IOException {
        if (mode.equals("direct")) {
            return direct.read(dst, offset);
        }
        long done = 0;
        while (done < dst.byteSize()) {
            int n = buffered.pread(dst.asSlice(done), offset + done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }
}
