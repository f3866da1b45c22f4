package org.lvmsync.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.lvmsync.thin.DiffStats;
import org.lvmsync.thin.MappedMetadata;
import org.lvmsync.thin.MetadataRoot;
import org.lvmsync.thin.ThinDelta;
import org.lvmsync.thin.ThinDiff;
import org.lvmsync.thin.ThinMetadata;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The thin diff's time against the share of a 1 M-block device that changed, on metadata
 * made by thin_restore (see {@link ThinFixtures}). {@code diff} is the sync path's diff
 * (shared subtrees skipped): its time should follow the change. {@code thinDeltaXml} is
 * the thin_delta-compatible output, which lists every mapping and so reads everything.
 * Each operation maps the file, walks, and unmaps, as one run of the tool does (the file
 * is in the page cache: this measures the walk, not the disk).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ThinDiffBenchmark {
    @Param({"1048576"})
    long blocks;

    @Param({"0.001", "0.01", "0.1", "1.0"})
    double fraction;

    /** Blocks per cluster of changes: 1 is scattered writes, 64 is 64 consecutive blocks per write burst. */
    @Param({"1", "64"})
    int cluster;

    Path metadata;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        metadata = ThinFixtures.metadata(blocks, fraction, cluster);
    }

    @Benchmark
    public long diff(Blackhole bh) throws IOException {
        try (MappedMetadata source = MappedMetadata.open(metadata)) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            long[] changed = new long[1];
            DiffStats stats = ThinDiff.diff(md, ThinFixtures.ORIGIN, ThinFixtures.SNAPSHOT,
                    (begin, length, kind) -> changed[0] += length);
            bh.consume(stats);
            return changed[0];
        }
    }

    @Benchmark
    public void thinDeltaXml(Blackhole bh) throws IOException {
        try (MappedMetadata source = MappedMetadata.open(metadata)) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            PrintStream out = new PrintStream(new BlackholeStream(bh));
            ThinDelta.write(md, ThinFixtures.ORIGIN, ThinFixtures.SNAPSHOT, false, out);
        }
    }

    @TearDown(Level.Trial)
    public void report() throws IOException {
        try (MappedMetadata source = MappedMetadata.open(metadata)) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            long[] changed = new long[1];
            DiffStats stats = ThinDiff.diff(md, ThinFixtures.ORIGIN, ThinFixtures.SNAPSHOT,
                    (begin, length, kind) -> changed[0] += length);
            System.out.printf("%n  %d of %d blocks changed; nodes read %d, shared subtrees skipped %d%n",
                    changed[0], blocks, stats.nodesRead(), stats.sharedSubtreesSkipped());
        }
    }

    private static final class BlackholeStream extends OutputStream {
        private final Blackhole bh;

        BlackholeStream(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void write(int b) {
            bh.consume(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bh.consume(b);
        }
    }
}
