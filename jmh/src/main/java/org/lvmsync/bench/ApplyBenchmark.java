package org.lvmsync.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.lvmsync.Log;
import org.lvmsync.apply.Applier;
import org.lvmsync.os.AlignedBuffer;
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
 * The receiver's throughput: one operation applies {@link #BYTES} (128 MiB) of records,
 * sorted, at random distinct slots of a 1 GiB destination, through the real Applier
 * (staging, snapback pre-images and fdatasync per 4 MiB batch, final fsync).
 * {@code target=file}: an image file, written buffered (what the Applier does for files);
 * {@code target=loop}: a loop device with direct I/O over such a file, written with
 * O_DIRECT (what it does for block devices; needs root). {@code snapback=true} saves the
 * pre-images to a new undo file first, removed after each operation.
 * MB/s = 134.2 / (ms/op) * 1000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ApplyBenchmark {
    static final long BYTES = 128L << 20;

    @Param({"file", "loop"})
    public String target;

    @Param({"false", "true"})
    public boolean snapback;

    @Param({"4", "1024"})
    public int recordKiB;

    private Arena arena;
    private MemorySegment data;
    private long[] offsets;
    private Path backing;
    private Path destination;
    private Path loop;
    private Path undo;
    private long runs;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Log.setLevel(Log.Level.QUIET);   // no "Applied ..." summary per operation
        backing = BenchFiles.filled("bench-apply-dest-1g.img", BenchFiles.GIB);
        destination = target.equals("loop") ? (loop = BenchFiles.attachLoop(backing)) : backing;
        long record = recordKiB * 1024L;
        int count = (int) (BYTES / record);
        offsets = BenchFiles.sortedSlots(BenchFiles.GIB / record, count, 7);
        for (int i = 0; i < count; i++) {
            offsets[i] *= record;
        }
        arena = Arena.ofShared();
        data = AlignedBuffer.allocate(arena, record);
        for (long i = 0; i < record; i += 8) {
            data.set(ValueLayout.JAVA_LONG, i, ~i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (loop != null) {
            BenchFiles.detachLoop(loop);
        }
        arena.close();
    }

    @Setup(Level.Invocation)
    public void newUndoFile() throws IOException {
        undo = snapback ? BenchFiles.dir().resolve("bench-apply-" + (runs++) + ".snapback") : null;
    }

    @TearDown(Level.Invocation)
    public void removeUndoFile() throws IOException {
        if (undo != null) {
            Files.deleteIfExists(undo);
        }
    }

    @Benchmark
    public long apply() throws IOException {
        try (Applier applier = Applier.open(destination, Optional.ofNullable(undo), false)) {
            for (long offset : offsets) {
                applier.data(offset, data);
            }
            applier.finish();
        }
        return offsets.length;
    }
}
