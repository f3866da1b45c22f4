package org.lvmsync.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamDecoder;
import org.lvmsync.stream.StreamFormats;

/**
 * CPU seconds per GiB of each codec, encode and decode, beside the wall time: on a
 * machine shared with other work the wall time of a benchmark swings with the load,
 * while the CPU a codec burns per GiB does not (much). One run per codec and data kind
 * after a warm-up run; the median of {@code repeats}. The process's CPU time is used, so
 * compression workers count too (and the JIT and GC, small once warm).
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED [-Ddata=text,random,file:PATH] [-Dcodecs=x-zstd1,...] -cp target/benchmarks.jar \
 *        org.lvmsync.bench.StreamCost [MiB [repeats]]
 * </pre>
 */
public final class StreamCost {
    public static void main(String[] args) throws Exception {
        long total = (args.length > 0 ? Long.parseLong(args[0]) : 1024) << 20;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> codecs = List.of(System.getProperty("codecs",
                "classic,x-plain,x-zstd1,x-zstd3,x-zstd1-w2,x-zstd3-w2").split(","));
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("%d MiB of 1 MiB records, median of %d; CPU and wall seconds per GiB%n", total >> 20, repeats);
        System.out.printf("%-7s %-11s %8s %9s %9s %9s %9s%n", "data", "codec", "ratio", "enc cpu", "enc wall",
                "dec cpu", "dec wall");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment payload = arena.allocate(StreamData.RECORD);
            for (String data : System.getProperty("data", "text,random").split(",")) {
                MemorySegment window = StreamData.window(arena, data, 64L << 20);
                for (String codec : codecs) {
                    StreamData.Counting size = new StreamData.Counting();
                    StreamData.encode(codec, size, window, total);
                    try (Arena streamArena = Arena.ofConfined()) {
                        MemorySegment stream = streamArena.allocate(size.bytes);
                        double[][] t = new double[4][repeats];
                        for (int i = -1; i < repeats; i++) {     // run -1 warms up
                            long cpu = os.getProcessCpuTime();
                            long wall = System.nanoTime();
                            StreamData.encode(codec, new StreamFormatBenchmark.SegmentSink(stream), window, total);
                            long encCpu = os.getProcessCpuTime() - cpu;
                            long encWall = System.nanoTime() - wall;
                            cpu = os.getProcessCpuTime();
                            wall = System.nanoTime();
                            decode(stream, payload, total);
                            if (i >= 0) {
                                t[0][i] = encCpu;
                                t[1][i] = encWall;
                                t[2][i] = os.getProcessCpuTime() - cpu;
                                t[3][i] = System.nanoTime() - wall;
                            }
                        }
                        double perGiB = (double) (1L << 30) / total / 1e9;
                        System.out.printf("%-7s %-11s %7.2f:1 %9.3f %9.3f %9.3f %9.3f%n", ThrottledPipe.shortName(data), codec,
                                (double) total / size.bytes, median(t[0]) * perGiB, median(t[1]) * perGiB,
                                median(t[2]) * perGiB, median(t[3]) * perGiB);
                    }
                }
            }
        }
    }

    static void decode(MemorySegment stream, MemorySegment payload, long total) throws Exception {
        long bytes = 0;
        try (StreamDecoder dec = StreamFormats.open(new StreamData.SegmentChannel(stream), "cost")) {
            Record r;
            while ((r = dec.next()) != null) {
                long n;
                while ((n = dec.readPayload(payload)) > 0) {
                    bytes += n;
                }
            }
        }
        if (bytes != total) {
            throw new IllegalStateException("decoded " + bytes + " of " + total);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private StreamCost() {
    }
}
