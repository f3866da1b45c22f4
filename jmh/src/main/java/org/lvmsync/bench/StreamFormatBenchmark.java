package org.lvmsync.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamDecoder;
import org.lvmsync.stream.StreamFormats;
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
 * Encode and decode throughput of the stream formats, in memory (no device, no pipe): one
 * operation is 1 GiB of 1 MiB data records, so ms/op is milliseconds per GiB
 * (MB/s = 1073.7 / (ms/op) * 1000).
 *
 * <ul>
 *   <li>{@code encode}: records from a 64 MiB native window (cycled) through the encoder
 *       into a channel that only counts; the extended encoder includes the zero check,
 *       both CRC32Cs per record, the header digest and, for {@code x-zstd*}, compression
 *       ({@code -wN}: on N worker threads);
 *   <li>{@code decode}: the stream encoded once at setup, decoded with every payload
 *       copied out (what --apply does before it writes);
 *   <li>{@code sha256Stream} / {@code crc32cStream}: the cost of a SHA-256 or CRC32C of
 *       every byte of 1 GiB, against which the extended format's choice to digest only
 *       the record headers is measured.
 * </ul>
 *
 * <p>Run: {@code java -jar target/benchmarks.jar StreamFormatBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class StreamFormatBenchmark {
    static final long TOTAL = 1L << 30;
    static final long WINDOW = 64L << 20;

    @Param({"classic", "x-plain", "x-zstd1", "x-zstd3", "x-zstd1-w2", "x-zstd3-w2"})
    public String codec;

    @Param({"text", "random"})
    public String data;

    private Arena arena;
    private MemorySegment window;
    private MemorySegment encoded;
    private MemorySegment payload;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        arena = Arena.ofShared();
        window = StreamData.window(arena, data, WINDOW);
        payload = arena.allocate(StreamData.RECORD);
        StreamData.Counting size = new StreamData.Counting();
        StreamData.encode(codec, size, window, TOTAL);
        encoded = arena.allocate(size.bytes);
        StreamData.encode(codec, new SegmentSink(encoded), window, TOTAL);
        System.err.printf("%n%s %s: 1 GiB -> %d stream bytes (%.2f:1)%n", codec, data, size.bytes,
                (double) TOTAL / size.bytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public long encode() throws IOException {
        StreamData.Counting out = new StreamData.Counting();
        StreamData.encode(codec, out, window, TOTAL);
        return out.bytes;
    }

    @Benchmark
    public long decode() throws IOException {
        long bytes = 0;
        try (StreamDecoder dec = StreamFormats.open(new StreamData.SegmentChannel(encoded), "bench")) {
            Record r;
            while ((r = dec.next()) != null) {
                long n;
                while ((n = dec.readPayload(payload)) > 0) {
                    bytes += n;
                }
            }
        }
        return bytes;
    }

    @Benchmark
    public byte[] sha256Stream() throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long at = 0; at < TOTAL; at += StreamData.RECORD) {
            sha.update(window.asSlice(at % WINDOW, StreamData.RECORD).asByteBuffer());
        }
        return sha.digest();
    }

    @Benchmark
    public long crc32cStream() {
        CRC32C crc = new CRC32C();
        for (long at = 0; at < TOTAL; at += StreamData.RECORD) {
            crc.update(window.asSlice(at % WINDOW, StreamData.RECORD).asByteBuffer());
        }
        return crc.getValue();
    }

    /** Writes into a native segment of exactly the stream's size. */
    static final class SegmentSink implements WritableByteChannel {
        private final MemorySegment into;
        private long at;

        SegmentSink(MemorySegment into) {
            this.into = into;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, into, at, n);
            src.position(src.limit());
            at += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
