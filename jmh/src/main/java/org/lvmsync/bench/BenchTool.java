package org.lvmsync.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.cow.CowChangeSource;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.Fd;
import org.lvmsync.changes.RunList;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.IoEngines;
import org.lvmsync.job.SendJob;
import org.lvmsync.job.SendRequest;
import org.lvmsync.job.Sinks;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;

/**
 * Helper of scripts/bench, where no device-mapper exists to make a real snapshot:
 * <pre>
 * BenchTool fill FILE MIB                       pseudo-random image of MIB MiB
 * BenchTool change ORIGIN COW PERCENT SEED      overwrite PERCENT % of ORIGIN's 4 KiB chunks
 *                                               (scattered) and record them in COW, an
 *                                               exception store as dm-snapshot writes it
 * BenchTool send COW ORIGIN [--snapback F] [--rsh CMD] (--stdout | [HOST:]DEST)
 * BenchTool cow LAYOUT COUNT COW ORIGIN           a synthetic exception store of COUNT 4 KiB
 *                                               exceptions (scattered, clustered, sequential)
 *                                               and ORIGIN as a sparse file of the size it
 *                                               needs (for memory and page-cache runs)
 * BenchTool readrate DEVICE PERCENT SEED ENGINE DEPTH [IOLOG|- [REPEAT]]
 *                                               the sender's reads of PERCENT % of DEVICE's
 *                                               4 KiB chunks (scattered, as {@code change}
 *                                               picks them) through ENGINE (uring, threads,
 *                                               pread, auto) at DEPTH, into a sink that
 *                                               discards; prints "reads bytes seconds" on
 *                                               stdout; IOLOG: the same reads as a fio
 *                                               iolog (version 2) for fio --read_iolog
 * </pre>
 * {@code send} is the real sending side of {@code lvmsync SNAPSHOT ...} from the point
 * where device-mapper discovery hands over: the COW walk, the sender's O_DIRECT reads,
 * and the same sink (stdout, local apply, or remote apply through --rsh) with the same
 * summary. Only the snapshot lookup in the dm tables is skipped.
 */
public final class BenchTool {
    private static final int CHUNK = 4096;

    private BenchTool() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            usage();
        }
        try {
            run(args);
        } catch (LvmsyncException e) {
            Log.error(e.getMessage());
            System.exit(org.lvmsync.cli.ExitCode.of(e.failureClass()).code);
        }
    }

    private static void run(String[] args) throws IOException {
        switch (args[0]) {
            case "fill" -> fill(Path.of(args[1]), Long.parseLong(args[2]) << 20);
            case "change" -> change(Path.of(args[1]), Path.of(args[2]), Double.parseDouble(args[3]),
                    Long.parseLong(args[4]));
            case "send" -> send(Arrays.asList(args).subList(1, args.length));
            case "cow" -> {
                long[] chunks = SyntheticCow.oldChunks(args[1], Integer.parseInt(args[2]), 42);
                SyntheticCow.write(Path.of(args[3]), CHUNK, chunks);
                try (java.io.RandomAccessFile origin = new java.io.RandomAccessFile(args[4], "rw")) {
                    origin.setLength((SyntheticCow.maxChunk(chunks) + 1) * CHUNK);
                }
            }
            case "walk" -> Walk.run(Path.of(args[1]), Integer.parseInt(args[2]), args[3], Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
            case "readrate" -> ReadRate.run(Path.of(args[1]), Double.parseDouble(args[2]), Long.parseLong(args[3]),
                    args[4], Integer.parseInt(args[5]),
                    args.length > 6 && !args[6].equals("-") ? Optional.of(Path.of(args[6])) : Optional.empty(),
                    args.length > 7 ? Integer.parseInt(args[7]) : 1);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: BenchTool fill FILE MIB | change ORIGIN COW PERCENT SEED"
                + " | send COW ORIGIN [--snapback F] [--rsh CMD] (--stdout | [HOST:]DEST)"
                + " | readrate DEVICE PERCENT SEED ENGINE DEPTH [IOLOG|- [REPEAT]]");
        System.exit(2);
    }

    static void fill(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(size);
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(file, Fd.O_RDWR | Fd.O_CREAT | Fd.O_TRUNC)) {
            MemorySegment block = AlignedBuffer.allocate(arena, 4L << 20);
            for (long at = 0; at < size; at += block.byteSize()) {
                for (long i = 0; i < block.byteSize(); i += 8) {
                    block.set(ValueLayout.JAVA_LONG, i, random.nextLong());
                }
                fd.pwriteFully(block.asSlice(0, Math.min(block.byteSize(), size - at)), at);
            }
            fd.fdatasync();
        }
    }

    /** Prints the number of changed chunks on stdout. */
    static void change(Path origin, Path cow, double percent, long seed) throws IOException {
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(origin, Fd.O_RDWR)) {
            long chunks = fd.size() / CHUNK;
            int count = (int) Math.round(chunks * percent / 100);
            long[] picked = BenchFiles.sortedSlots(chunks, count, seed);
            SplittableRandom random = new SplittableRandom(seed);
            MemorySegment data = arena.allocate(CHUNK);
            for (long chunk : picked) {
                for (long i = 0; i < CHUNK; i += 8) {
                    data.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
                }
                fd.pwriteFully(data, chunk * CHUNK);
            }
            fd.fdatasync();
            // exceptions are recorded in the order writes happen, not sorted
            long[] order = picked.clone();
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            SyntheticCow.write(cow, CHUNK, order);
            System.out.println(count);
        }
    }

    static void send(List<String> args) throws IOException {
        Path cow = Path.of(args.get(0));
        Path origin = Path.of(args.get(1));
        Optional<Path> snapback = Optional.empty();
        List<String> rsh = List.of("ssh");
        boolean stdout = false;
        String target = null;
        for (int i = 2; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--snapback" -> snapback = Optional.of(Path.of(args.get(++i)));
                case "--rsh" -> rsh = List.of(args.get(++i).split(" "));
                case "--stdout" -> stdout = true;
                default -> target = args.get(i);
            }
        }
        Optional<String> host = Optional.empty();
        Optional<String> destination = Optional.ofNullable(target);
        if (target != null && target.indexOf(':') > 0) {
            host = Optional.of(target.substring(0, target.indexOf(':')));
            destination = Optional.of(target.substring(target.indexOf(':') + 1));
        }
        Log.setLevel(Log.Level.NORMAL);
        long originSize;
        try (Fd fd = Fd.open(origin, Fd.O_RDONLY)) {
            originSize = fd.size();
        }
        RunList runs;
        try (IoEngine engine = IoEngines.openForMetadata(cow)) {
            runs = new CowChangeSource(engine, originSize).changes();
        }
        SendRequest options = new SendRequest("bench/snapshot", host, destination, stdout, snapback,
                Optional.empty(), new ArrayList<>(rsh), false);
        try (Counting sink = new Counting(Sinks.open(options))) {
            SendJob.send(runs, origin, sink);
            // the classic stream: handshake line, then 12 header bytes per record
            long stream = "lvmsync PROTO[3]\n".length() + sink.records * 12 + sink.bytes;
            Log.info("bench: " + sink.records + " records, " + sink.bytes + " data bytes, "
                    + (stdout || host.isPresent() ? stream + " stream bytes" : "applied locally"));
        }
    }

    /** Counts what passes to the real sink (records stay at most 1 MiB, so none is split). */
    private static final class Counting implements RecordSink {
        private final RecordSink sink;
        long records;
        long bytes;

        Counting(RecordSink sink) {
            this.sink = sink;
        }

        @Override
        public void accept(Record record, MemorySegment payload) throws IOException {
            sink.accept(record, payload);
            records++;
            if (record instanceof Record.Extent e) {
                bytes += e.length();
            }
        }

        @Override
        public void finish() throws IOException {
            sink.finish();
        }

        @Override
        public void close() throws IOException {
            sink.close();
        }
    }
}
