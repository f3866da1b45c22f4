package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvmsync.Log;
import org.lvmsync.changes.RunList;
import org.lvmsync.job.SendJob;
import org.lvmsync.job.SendRequest;
import org.lvmsync.job.Sinks;
import org.lvmsync.os.Faults;
import org.lvmsync.os.FdChannel;
import org.lvmsync.os.Pipe;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.stream.StreamDecoder;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamFormats;
import org.lvmsync.testing.LoopDevice;
import org.lvmsync.transport.StreamSink;

/**
 * The promises under faults: a change stream applied with --snapback, and a send into a
 * local destination and into a pipe, once per injection point (see {@link Sweep}). After
 * every point the run either succeeded with the right bytes, or failed with one clear
 * line leaving the destination untouched, or restored exactly by the snapback file it
 * left (which decodes); no descriptor is left open, and a failed send never prints the
 * summary of a finished one. EINTR and short transfers must not fail the run at all.
 */
class FaultSweepTest {
    /** Destination size: 4 MiB and a bit, so the last record straddles the end. */
    private static final int SIZE = (4 << 20) + 8192;
    /** Where sources are read with O_DIRECT: under target/, a real filesystem. */
    private static Path work;
    /**
     * Where destinations and undo files go: a tmpfs when there is one. Each point syncs the
     * destination and the undo file a few times; on a disk that would be most of the
     * sweep's time, and what is tested is the order of calls, not the disk.
     */
    private static Path scratch;

    @BeforeAll
    static void workDirectory() throws IOException {
        assertTrue(Faults.ENABLED, "run with -Dlvmsync.faults=true (surefire's argLine sets it)");
        String name = "lvmsync-fault-sweep-" + ProcessHandle.current().pid();
        work = Files.createDirectories(Path.of("target", name)).toAbsolutePath();
        Path shm = Path.of("/dev/shm");
        scratch = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createDirectories(shm.resolve(name)) : work.resolve("scratch");
    }

    @AfterAll
    static void clean() throws IOException {
        for (Path dir : new Path[] {work, scratch}) {
            if (dir != null && Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    record Rec(long offset, byte[] data) {
    }

    /**
     * Thirty records over two batches of the applier: scattered aligned 4 KiB ones,
     * an adjacent run of 64 KiB ones (one large O_DIRECT write), unaligned ones, ones that
     * overlap earlier ones (one covers several), records larger than the snapback encoder's
     * buffer, and one that straddles the end of the destination.
     */
    static List<Rec> stream(Random rnd) {
        List<Rec> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            records.add(new Rec(4096L * (3 + 97 * i), bytes(rnd, 4096)));
        }
        for (int i = 0; i < 4; i++) {
            records.add(new Rec((1 << 20) + 65536L * i, bytes(rnd, 65536)));
        }
        long[][] unaligned = {{100_001, 7}, {5000, 3000}, {777_777, 70_001}, {2_000_003, 1}, {3_333_333, 4097},
            {12_345, 512}, {1_500_000, 100}, {1_500_100, 900}};
        for (long[] u : unaligned) {
            records.add(new Rec(u[0], bytes(rnd, (int) u[1])));
        }
        records.add(new Rec(12_000, bytes(rnd, 8000)));               // overlaps a 4 KiB one and an unaligned one
        records.add(new Rec((1 << 20) + 30_000, bytes(rnd, 100_000))); // inside the adjacent run
        records.add(new Rec(4096L * 3, bytes(rnd, 4096)));            // the first record again
        records.add(new Rec(0, bytes(rnd, 1_200_000)));               // covers many earlier ones
        records.add(new Rec(2 << 20, bytes(rnd, 2_000_000)));         // larger than the encoder's buffer
        records.add(new Rec(3 << 20, bytes(rnd, 600_000)));           // does not fit: the second batch starts
        records.add(new Rec(SIZE - 4096, bytes(rnd, 12_288)));        // 4 KiB inside, 8 KiB past the end
        for (int i = 0; i < 3; i++) {
            records.add(new Rec(2_600_000L + 10_000 * i, bytes(rnd, 5000)));
        }
        return records;
    }

    static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    static byte[] encode(List<Rec> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StreamEncoder enc = StreamFormats.DEFAULT.encoder(Channels.newChannel(out))) {
            enc.writeHandshake();
            for (Rec r : records) {
                enc.write(new Record.Data(r.offset(), r.data().length), MemorySegment.ofArray(r.data()));
            }
            enc.finish();
        }
        return out.toByteArray();
    }

    /** The records of a stream; throws if it does not decode to its end. */
    static List<Rec> decode(byte[] stream, String name) throws IOException {
        List<Rec> out = new ArrayList<>();
        try (StreamDecoder dec = StreamFormats.open(Channels.newChannel(new java.io.ByteArrayInputStream(stream)), name)) {
            Record r;
            while ((r = dec.next()) != null) {
                if (!(r instanceof Record.Data d)) {
                    throw new IOException("a classic stream holds data records only, not " + r);
                }
                byte[] data = new byte[(int) d.length()];
                dec.readPayload(MemorySegment.ofArray(data));
                out.add(new Rec(d.offset(), data));
            }
        }
        return out;
    }

    /** Applying records in order to an image in memory; {@code limit} cuts them (a block device), -1 lets it grow. */
    static byte[] model(byte[] image, List<Rec> records, long limit) {
        byte[] out = image.clone();
        for (Rec r : records) {
            int length = r.data().length;
            if (limit >= 0) {
                length = (int) Math.max(0, Math.min(length, limit - r.offset()));
            } else if (r.offset() + length > out.length) {
                out = Arrays.copyOf(out, (int) (r.offset() + length));
            }
            System.arraycopy(r.data(), 0, out, (int) r.offset(), length);
        }
        return out;
    }

    // ---- the apply side ----------------------------------------------------------------

    /** {@code lvmsync --apply changes --snapback undo [--skip-past-end] dest}. */
    static final class ApplyScenario implements Sweep.Scenario {
        private final Path dir;
        private final Path dest;
        private final boolean blockDevice;
        private final byte[] original;
        private final byte[] expected;
        private final Path changes;
        private final Path undo;
        private final Set<String> warnings = new HashSet<>();

        ApplyScenario(Path dir, Path dest, boolean blockDevice) throws IOException {
            this.dir = Files.createDirectories(dir);
            this.dest = dest;
            this.blockDevice = blockDevice;
            Random rnd = new Random(42);
            this.original = bytes(rnd, SIZE);
            List<Rec> records = stream(rnd);
            this.expected = model(original, records, blockDevice ? SIZE : -1);
            this.changes = Files.write(dir.resolve("changes"), encode(records));
            this.undo = dir.resolve("undo");
            reset();
            // the warnings of a clean run (overlapping records, the cut record), by their start:
            // a run that fails early may give them with other numbers
            String clean = Cli.run(args()).stderr();
            clean.lines().filter(l -> l.startsWith("lvmsync: ")).map(ApplyScenario::gist).forEach(warnings::add);
        }

        private static String gist(String line) {
            return line.substring(0, Math.min(line.length(), 30));
        }

        private String[] args() {
            List<String> a = new ArrayList<>(List.of("--apply", changes.toString(), "--snapback", undo.toString()));
            if (blockDevice) {
                a.add("--skip-past-end");
            }
            a.add(dest.toString());
            return a.toArray(String[]::new);
        }

        @Override
        public Predicate<String> scope() {
            String prefix = dir + "/";
            String device = dest.toString();
            return name -> name.startsWith(prefix) || name.equals(dir.toString()) || name.equals(device);
        }

        @Override
        public void reset() throws IOException {
            Files.deleteIfExists(undo);
            writeDevice(dest, original, !blockDevice);
        }

        @Override
        public int run() {
            return Main.execute(args());
        }

        @Override
        public String judge(int status, String stderr, boolean mustSucceed) throws IOException {
            if (status == 0) {
                if (!Arrays.equals(expected, readDevice(dest))) {
                    return "exit 0 but the destination is not what the stream says";
                }
                if (!stderr.contains("Applied ")) {
                    return "exit 0 without the summary";
                }
                return restoredBySnapback(true);
            }
            if (mustSucceed) {
                return "a fault a correct program rides out failed the run";
            }
            String line = Sweep.oneClearLine(stderr, l -> warnings.contains(gist(l)));
            if (line != null) {
                return line;
            }
            if (stderr.contains("Applied ")) {
                return "a failed run printed the summary of a finished one";
            }
            return restoredBySnapback(false);
        }

        /** The undo file decodes, and applying it gives back the original (zeros where a file grew). */
        private String restoredBySnapback(boolean required) throws IOException {
            if (!Files.exists(undo)) {
                if (required) {
                    return "no snapback file";
                }
                return Arrays.equals(original, readDevice(dest)) ? null
                        : "no snapback file was left, and the destination was changed";
            }
            try {
                decode(Files.readAllBytes(undo), undo.toString());
            } catch (IOException e) {
                return "the snapback file does not decode: " + e.getMessage();
            }
            Cli.Result restore = Cli.run("--apply", undo.toString(), dest.toString());
            if (restore.status() != 0) {
                return "applying the snapback file failed: " + restore.stderr().strip();
            }
            byte[] now = readDevice(dest);
            byte[] want = Arrays.copyOf(original, now.length);   // a grown image keeps zeros past its old end
            return now.length >= original.length && Arrays.equals(want, now) ? null
                    : "the snapback file does not restore the destination";
        }
    }

    @Test
    void applyToAnImageFile() throws IOException {
        Path dir = scratch.resolve("apply-image");
        ApplyScenario scenario = new ApplyScenario(dir, dir.resolve("dest.img"), false);
        report(Sweep.run("apply --snapback, image file", scenario), 200);
    }

    @Test
    void applyToALoopDevice() throws Exception {
        try (LoopDevice loop = LoopDevice.attach("fault-sweep", SIZE, scratch.resolve("loop"))) {
            ApplyScenario scenario = new ApplyScenario(scratch.resolve("apply-loop"), loop.device(), true);
            report(Sweep.run("apply --snapback --skip-past-end, loop device", scenario), 200);
        }
    }

    // ---- the sending side --------------------------------------------------------------

    /** A change list over a source whose size is not a multiple of the chunk: the last run is cut. */
    static RunList changedChunks(int sourceSize) {
        RunList.Builder b = RunList.builder(4096);
        long last = (sourceSize - 1) / 4096;
        for (long c = 0; c < 260; c++) {
            b.add(c);                                  // 1 MiB and a bit from 0: two records
        }
        for (long c = 330; c < 700; c += 37) {
            b.add(c);                                  // scattered
        }
        for (long c = 1000; c < last - 2; c++) {
            b.add(c);                                  // a run crossing the 4 MiB read window
        }
        b.add(last);                                   // the partial last chunk
        return b.build();
    }

    /** The send form's second half: {@link SendJob#send} into a sink, failures as the CLI reports them. */
    abstract static class SendScenario implements Sweep.Scenario {
        final Path dir;
        final Path source;
        final RunList runs;
        final byte[] origin;

        /** The source goes in {@code sourceDir}, everything written in {@code dir}. */
        SendScenario(Path sourceDir, Path dir) throws IOException {
            this.dir = Files.createDirectories(dir);
            int size = SIZE + 1000;
            this.origin = bytes(new Random(7), size);
            this.source = Files.write(Files.createDirectories(sourceDir).resolve("origin.img"), origin);
            this.runs = changedChunks(size);
        }

        abstract RecordSink openSink() throws IOException;

        @Override
        public int run() {
            Log.setLevel(Log.Level.NORMAL);
            try (RecordSink sink = openSink()) {
                SendJob.send(runs, source, sink);
                afterSend();
                return 0;
            } catch (Exception e) {
                return Main.runtimeError(e);
            } finally {
                cleanUp();
            }
        }

        void afterSend() {
        }

        void cleanUp() {
        }

        /** What the source's changed ranges make of {@code before}. */
        byte[] expected(byte[] before) throws IOException {
            byte[] out = before.clone();
            runs.forEach((offset, length) -> {
                int end = (int) Math.min(offset + length, origin.length);
                System.arraycopy(origin, (int) offset, out, (int) offset, end - (int) offset);
            });
            return out;
        }

        String failedClearly(int status, String stderr, boolean mustSucceed) {
            if (mustSucceed) {
                return "a fault a correct program rides out failed the run";
            }
            String line = Sweep.oneClearLine(stderr, l -> false);
            if (line != null) {
                return line;
            }
            return stderr.contains("Transferred ") ? "a failed send printed the summary of a finished one" : null;
        }
    }

    /** A local sync: the sender into an in-process apply with --snapback. */
    static final class LocalSendScenario extends SendScenario {
        private final Path dest;
        private final Path undo;
        private final byte[] before;

        LocalSendScenario(Path sourceDir, Path dir) throws IOException {
            super(sourceDir, dir);
            this.dest = dir.resolve("dest.img");
            this.undo = dir.resolve("undo");
            this.before = bytes(new Random(8), origin.length);
        }

        @Override
        RecordSink openSink() throws IOException {
            return Sinks.open(new SendRequest("vg/lv-snap", Optional.empty(), Optional.of(dest.toString()), false,
                    Optional.of(undo), Optional.empty(), List.of("ssh"), false));
        }

        @Override
        public Predicate<String> scope() {
            String prefix = dir + "/";
            String from = source.toString();
            return name -> name.startsWith(prefix) || name.equals(dir.toString()) || name.equals(from);
        }

        @Override
        public void reset() throws IOException {
            Files.deleteIfExists(undo);
            writeDevice(dest, before, true);
        }

        @Override
        public String judge(int status, String stderr, boolean mustSucceed) throws IOException {
            if (status == 0) {
                if (!Arrays.equals(expected(before), readDevice(dest))) {
                    return "exit 0 but the destination differs from the source";
                }
                if (!stderr.contains("Transferred ")) {
                    return "exit 0 without the summary";
                }
            } else {
                String wrong = failedClearly(status, stderr, mustSucceed);
                if (wrong != null) {
                    return wrong;
                }
            }
            if (!Files.exists(undo)) {
                return status == 0 ? "no snapback file"
                        : Arrays.equals(before, readDevice(dest)) ? null : "no snapback file, and the destination changed";
            }
            try {
                decode(Files.readAllBytes(undo), undo.toString());
            } catch (IOException e) {
                return "the snapback file does not decode: " + e.getMessage();
            }
            Cli.Result restore = Cli.run("--apply", undo.toString(), dest.toString());
            if (restore.status() != 0) {
                return "applying the snapback file failed: " + restore.stderr().strip();
            }
            return Arrays.equals(before, readDevice(dest)) ? null : "the snapback file does not restore the destination";
        }
    }

    /** --stdout into a pipe that another thread drains. */
    static final class PipeSendScenario extends SendScenario {
        private Pipe pipe;
        private Thread drain;
        private ByteArrayOutputStream drained;

        PipeSendScenario(Path sourceDir) throws IOException {
            super(sourceDir, sourceDir);
        }

        @Override
        RecordSink openSink() throws IOException {
            pipe = Pipe.open();
            // more room than the default 64 KiB: a write that waits less for the drain is
            // less often cut short by a signal (an extra write of the rest)
            pipe.resize(1 << 20);
            drained = new ByteArrayOutputStream();
            Pipe p = pipe;
            ByteArrayOutputStream out = drained;
            drain = Thread.ofPlatform().start(() -> {
                try (FdChannel in = new FdChannel(p.readEnd())) {
                    Channels.newInputStream(in).transferTo(out);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return new StreamSink(new FdChannel(pipe.writeEnd()), true);
        }

        @Override
        void cleanUp() {
            if (pipe == null) {
                return;
            }
            try {
                pipe.writeEnd().close();
                drain.join();
                pipe.close();
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public Predicate<String> scope() {
            String prefix = dir + "/";
            return name -> name.startsWith(prefix) || name.startsWith("pipe write end");
        }

        @Override
        public void reset() {
        }

        @Override
        public String judge(int status, String stderr, boolean mustSucceed) throws IOException {
            if (status != 0) {
                return failedClearly(status, stderr, mustSucceed);
            }
            List<Rec> records;
            try {
                records = decode(drained.toByteArray(), "the pipe");
            } catch (IOException e) {
                return "exit 0 but the stream does not decode: " + e.getMessage();
            }
            byte[] zeros = new byte[origin.length];
            return Arrays.equals(expected(zeros), model(zeros, records, origin.length)) ? null
                    : "exit 0 but the stream does not carry the changes";
        }
    }

    @Test
    void sendIntoALocalImageFile() throws IOException {
        LocalSendScenario scenario = new LocalSendScenario(work.resolve("send-local"), scratch.resolve("send-local"));
        report(Sweep.run("send, local image file with --snapback", scenario), 200);
    }

    @Test
    void sendIntoAPipe() throws IOException {
        report(Sweep.run("send --stdout, into a pipe", new PipeSendScenario(work.resolve("send-pipe"))), 80);
    }

    // ---- helpers -----------------------------------------------------------------------

    private static void report(Sweep.Result result, int atLeast) {
        System.out.println(result.summary());
        result.failed().stream().limit(40).forEach(f -> System.out.println("  not survived: " + f));
        assertEquals(List.of(), result.failed().stream().limit(15).toList(), result.summary());
        assertTrue(result.tried() >= atLeast, "a sweep of " + result.tried() + " points is too small: " + result.summary());
    }

    /** Puts {@code content} on a device or file (a file is also cut back to its length). */
    static void writeDevice(Path path, byte[] content, boolean file) throws IOException {
        try (FileChannel ch = file
                ? FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(path, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
        }
    }

    static byte[] readDevice(Path path) throws IOException {
        return Files.readAllBytes(path);
    }

    /** The CLI in this JVM with its messages captured. */
    static final class Cli {
        record Result(int status, String stderr) {
        }

        static Result run(String... args) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream saved = Log.stream();
            try (PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                Log.setStream(stream);
                int status = Main.execute(args);
                return new Result(status, err.toString(StandardCharsets.UTF_8));
            } finally {
                Log.setStream(saved);
                Log.setLevel(Log.Level.NORMAL);
            }
        }
    }
}
