package org.lvmsync.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamDecoder;
import org.lvmsync.stream.StreamFormats;

/**
 * What compression buys on a slow link, end to end: an encoder thread writes {@code MiB}
 * of 1 MiB records through a pipe throttled to {@code MBps} (a token bucket on the
 * writing side, like a 1 Gbit/s network at 100 MB/s) to a decoder on another thread
 * that copies every payload out. The wall time from the first byte to the verified end is
 * what a user waits. Sender and receiver share this machine's cores here; across two
 * machines each would have its own.
 *
 * <pre>
 *   java [-Ddata=text,random,file:PATH] -cp target/benchmarks.jar org.lvmsync.bench.ThrottledPipe \
 *        [MBps [MiB [repeats [codecs...]]]]
 * </pre>
 */
public final class ThrottledPipe {
    public static void main(String[] args) throws Exception {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) * 1e6 : 100e6;
        long total = (args.length > 1 ? Long.parseLong(args[1]) : 512) << 20;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> codecs = args.length > 3 ? List.of(args).subList(3, args.length)
                : List.of("classic", "x-plain", "x-zstd1", "x-zstd3", "x-zstd3-w2");
        System.out.printf("%d MiB through a pipe limited to %.0f MB/s, best of %d%n", total >> 20, rate / 1e6, repeats);
        System.out.printf("%-8s %-12s %10s %10s %12s%n", "data", "codec", "wall s", "wire MiB", "data MB/s");
        // data names are shortened in the table: file:/x/y/modules shows as modules
        try (Arena arena = Arena.ofShared()) {
            for (String data : System.getProperty("data", "text,random").split(",")) {
                MemorySegment window = StreamData.window(arena, data, 64L << 20);
                for (String codec : codecs) {
                    double best = Double.MAX_VALUE;
                    long wire = 0;
                    for (int i = 0; i < repeats; i++) {
                        long[] sent = new long[1];
                        double s = run(codec, window, total, rate, sent);
                        best = Math.min(best, s);
                        wire = sent[0];
                    }
                    System.out.printf("%-8s %-12s %10.2f %10.1f %12.1f%n", shortName(data), codec, best, wire / 1048576.0,
                            total / best / 1e6);
                }
            }
        }
    }

    static double run(String codec, MemorySegment window, long total, double rate, long[] sent) throws Exception {
        Pipe pipe = Pipe.open();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        long start = System.nanoTime();
        Throttle out = new Throttle(pipe.sink(), rate);
        Future<?> done = sender.submit(() -> {
            try (out) {
                StreamData.encode(codec, out, window, total);
            }
            return null;
        });
        long bytes = 0;
        try (Arena arena = Arena.ofConfined();
             StreamDecoder dec = StreamFormats.open(pipe.source(), "pipe")) {
            MemorySegment payload = arena.allocate(StreamData.RECORD);
            Record r;
            while ((r = dec.next()) != null) {
                long n;
                while ((n = dec.readPayload(payload)) > 0) {
                    bytes += n;
                }
            }
        } finally {
            pipe.source().close();
            try {
                done.get();
            } catch (ExecutionException e) {
                throw new IOException("sender failed", e.getCause());
            }
            sender.shutdown();
        }
        if (bytes != total) {
            throw new IllegalStateException("decoded " + bytes + " of " + total);
        }
        sent[0] = out.bytes;
        return (System.nanoTime() - start) / 1e9;
    }

    /** Passes bytes on no faster than {@code rate} per second, in slices of at most 64 KiB. */
    static final class Throttle implements WritableByteChannel {
        private final WritableByteChannel out;
        private final double rate;
        private final long start = System.nanoTime();
        long bytes;

        Throttle(WritableByteChannel out, double rate) {
            this.out = out;
            this.rate = rate;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int limit = src.limit();
            src.limit(src.position() + Math.min(src.remaining(), 64 * 1024));
            try {
                long due = start + (long) (bytes / rate * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int n = out.write(src);
                bytes += n;
                return n;
            } finally {
                src.limit(limit);
            }
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    static String shortName(String data) {
        return data.startsWith("file:") ? Path.of(data.substring(5)).getFileName().toString() : data;
    }

    private ThrottledPipe() {
    }

}
