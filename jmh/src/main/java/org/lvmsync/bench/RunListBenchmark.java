package org.lvmsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.lvmsync.cow.CowChangeSource;
import org.lvmsync.changes.RunList;
import org.lvmsync.io.IoEngine;
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
 * From a COW device to the run list: {@code walkAndBuild} reads a synthetic exception
 * store file with O_DIRECT one area at a time, sorts and coalesces (what lvmsync does
 * before sending); {@code buildOnly} is the sort + coalesce of the same chunk numbers
 * already in memory, to tell I/O from CPU.
 *
 * <p>Default: 2.6 million exceptions, a full 10 GiB COW at 4 KiB chunks. The image goes
 * to {@code -Dlvmsync.bench.dir} (default {@code target/}, which should be a real disk:
 * tmpfs may refuse O_DIRECT and would hide the I/O cost).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class RunListBenchmark {
    @Param({"2621440"})
    public int exceptions;

    @Param({"4", "64"})
    public int chunkKiB;

    @Param({"scattered", "clustered", "sequential"})
    public String layout;

    private Path image;
    private long[] chunks;
    private long originSize;

    @Setup(Level.Trial)
    public void writeImage() throws IOException {
        chunks = SyntheticCow.oldChunks(layout, exceptions, 42);
        long chunkBytes = chunkKiB * 1024L;
        originSize = (SyntheticCow.maxChunk(chunks) + 1) * chunkBytes;
        Path dir = Files.createDirectories(Path.of(System.getProperty("lvmsync.bench.dir", "target")));
        image = dir.resolve("bench-cow-" + layout + "-" + chunkKiB + "k.img");
        SyntheticCow.write(image, (int) chunkBytes, chunks);
    }

    @TearDown(Level.Trial)
    public void removeImage() throws IOException {
        Files.deleteIfExists(image);
    }

    @Benchmark
    public RunList walkAndBuild() throws IOException {
        RunList runs;
        try (IoEngine engine = PreadEngine.open(image)) {
            runs = new CowChangeSource(engine, originSize).changes();
        }
        if (runs.unitCount() != exceptions) {
            throw new AssertionError("walked " + runs.unitCount() + " of " + exceptions);
        }
        return runs;
    }

    @Benchmark
    public RunList buildOnly() {
        RunList.Builder builder = RunList.builder(chunkKiB * 1024L);
        for (long c : chunks) {
            builder.add(c);
        }
        return builder.build();
    }
}
