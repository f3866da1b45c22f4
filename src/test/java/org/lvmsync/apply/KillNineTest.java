package org.lvmsync.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvmsync.Log;
import org.lvmsync.cli.Main;
import org.lvmsync.stream.ExtendedFormat;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.testing.LoopDevice;

/**
 * Deliverable 5's first proof: the receiver ({@code lvmsync --apply - --snapback F} in its
 * own JVM, onto a loop device) is killed with SIGKILL at random points of its run, and
 * every time applying the snapback file it left restores the destination's original
 * bytes exactly; where it left none, the destination must be untouched.
 *
 * <p>The stream is fed through a pipe and the kill comes after a random number of its
 * bytes and a random pause. The points are spread over the phases of a run (see
 * {@link Phase}): anywhere, while the first batch is saved and written, while the second
 * is staged, and while the run ends; the test fails unless enough of them changed the
 * destination without completing.
 *
 * <p>A SIGKILL keeps the page cache, so this proves the order of the receiver's calls
 * (pre-images written to the undo file before the bytes they protect are overwritten),
 * not durability; the guest's power-loss test proves that. The loop device's backing file
 * and the undo files live on a tmpfs when there is one: the order is tested, and a disk's
 * syncs would be most of the time. {@code -Dlvmsync.kill.points=N} changes the number of
 * points (100), {@code -Dlvmsync.kill.seed=S} repeats a run.
 */
class KillNineTest {
    private static final int SIZE = 8 << 20;
    private static final int POINTS = Integer.getInteger("lvmsync.kill.points", 100);
    private static Path work;

    @BeforeAll
    static void workDirectory() throws IOException {
        String name = "kill-nine-" + ProcessHandle.current().pid();
        Path shm = Path.of("/dev/shm");
        work = Files.createDirectories(Files.isDirectory(shm) && Files.isWritable(shm)
                ? shm.resolve(name) : Path.of("target", name));
    }

    @AfterAll
    static void clean() throws IOException {
        if (work != null && Files.exists(work)) {
            try (java.util.stream.Stream<Path> files = Files.walk(work)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    /**
     * A stream, with where in it the record ends that makes the applier write its first
     * batch (it stages records until they cover {@link Applier#STAGING_BYTES} of the device).
     */
    record Stream(byte[] bytes, int firstFlush) {
    }

    /** Which part of a run a point aims at: how much of the stream goes in, and how long until the kill. */
    enum Phase {
        /** Any prefix of the stream: mostly records staged, nothing written yet. */
        ANYWHERE,
        /** Up to the record that fills the first batch: its pre-images saved, synced, the batch written. */
        FIRST_BATCH,
        /** Past the first batch: the second one staged onto a partly changed destination. */
        SECOND_BATCH,
        /** All of it: the last batch, the destination synced, the end record, the destination's record. */
        END;

        static Phase of(int point) {
            return switch (point % 10) {
                case 0 -> ANYWHERE;
                case 1, 2, 3, 4 -> FIRST_BATCH;
                case 5, 6, 7, 8 -> SECOND_BATCH;
                default -> END;
            };
        }

        int fed(Stream s, Random rnd) {
            int n = s.bytes().length;
            return switch (this) {
                case ANYWHERE -> rnd.nextInt(n);
                case FIRST_BATCH -> s.firstFlush();
                case SECOND_BATCH -> s.firstFlush() + rnd.nextInt(n - s.firstFlush());
                case END -> n;
            };
        }

        /** {@code tailMillis}: how long a run left alone took from its last byte to its exit. */
        long pauseMillis(Random rnd, long tailMillis) {
            return switch (this) {
                case ANYWHERE, SECOND_BATCH -> rnd.nextInt(40);
                case FIRST_BATCH, END -> rnd.nextLong(3 * tailMillis + 1);
            };
        }
    }

    /**
     * Scattered pages, text that compresses, zeros and a discard, adjacent records and a
     * long run: 5.5 MiB of the device, 2.5 MB compressed, over two batches of the applier,
     * the first mostly cheap to send.
     */
    static Stream stream(Random rnd) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamIdentity id = new StreamIdentity(UUID.randomUUID(), SIZE, 4096,
                SnapshotIdentity.classic("vg/lv-snap", "LVM-snap", "LVM-origin"), Optional.empty());
        Batches batches = new Batches();
        try (StreamEncoder enc = ExtendedFormat.V1.encoder(Channels.newChannel(out), ExtendedFormat.Options.zstd(1, 0))) {
            enc.writeHandshake();
            enc.write(new Record.Header(id), MemorySegment.NULL);
            long at = 0;
            for (int i = 0; i < 100; i++) {                        // scattered 4 KiB pages over ~600 KiB
                at = batches.data(enc, at + 4096L * rnd.nextInt(2), random(rnd, 4096));
            }
            at = 1L << 20;
            at = batches.data(enc, at, "lvmsync kill -9 test ".repeat(49_000).getBytes(StandardCharsets.US_ASCII));
            at = (at + 4095) / 4096 * 4096;
            batches.write(enc, new Record.Zero(at, 1 << 20), MemorySegment.NULL);
            at += 5 << 18;
            batches.write(enc, new Record.Discard(at, 1 << 20), MemorySegment.NULL);
            at += 1 << 20;
            for (int j = 0; j < 8; j++) {                          // adjacent 64 KiB records
                at = batches.data(enc, at, random(rnd, 65536));
            }
            at += 1 << 16;
            for (int i = 0; i < 3; i++) {                          // one long run in 512 KiB records
                at = batches.data(enc, at, random(rnd, 1 << 19));
            }
            at += 4096;
            for (int i = 0; i < 20; i++) {                         // and a few more pages
                at = batches.data(enc, at + 8192, random(rnd, 4096));
            }
            enc.finish();
        }
        assertTrue(batches.flushAt > 0, "the stream fits one batch");
        return new Stream(out.toByteArray(), (int) batches.flushAt);
    }

    /** Counts the device bytes records cover, as the applier's staging does, to find where its first batch is written. */
    private static final class Batches {
        long covered;
        long flushAt = -1;

        long data(StreamEncoder enc, long at, byte[] bytes) throws IOException {
            write(enc, new Record.Data(at, bytes.length), MemorySegment.ofArray(bytes));
            return at + bytes.length;
        }

        void write(StreamEncoder enc, Record r, MemorySegment payload) throws IOException {
            long length = r instanceof Record.Extent e ? e.length() : 0;
            boolean fills = flushAt < 0 && covered + length > Applier.STAGING_BYTES;
            covered += length;
            enc.write(r, payload);
            if (fills) {
                flushAt = enc.position();   // the decoder hands the record on once it has all of it
            }
        }
    }

    static byte[] random(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** The receiver in its own JVM, started quickly (C1 only, serial GC). */
    private static Process receiver(Path dest, Path undo, Path state, ProcessBuilder.Redirect stderr)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--apply", "-", "--snapback",
                undo.toString(), "--state-dir", state.toString(), dest.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr).start();
    }

    /**
     * Feeds the first {@code fed} bytes, waits {@code pauseMillis} and kills (with a negative
     * pause: waits for the exit); returns the time from the last byte to the exit. A whole
     * stream is followed by the end of input (the receiver reads on to make sure nothing
     * follows the end record); a part of it is not, so the receiver is killed mid-run, as
     * when a connection stalls, not while it ends a cut stream in order.
     */
    private static long feedAndKill(Process p, byte[] stream, int fed, long pauseMillis) throws Exception {
        OutputStream in = p.getOutputStream();
        try {
            for (int off = 0; off < fed; off += 65536) {
                in.write(stream, off, Math.min(65536, fed - off));
            }
            in.flush();
            if (fed == stream.length) {
                in.close();
            }
        } catch (IOException gone) {
            // the receiver stopped reading: it ended (or died) before all was fed
        }
        long fedAt = System.nanoTime();
        if (pauseMillis >= 0) {
            Thread.sleep(pauseMillis);
            p.toHandle().destroyForcibly();   // SIGKILL
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.toHandle().destroyForcibly();
            throw new AssertionError("the receiver did not end within 60 s");
        }
        long tail = (System.nanoTime() - fedAt) / 1_000_000;
        try {
            in.close();
        } catch (IOException gone) {
            // its reader is gone
        }
        return tail;
    }

    @Test
    void everySnapbackFileLeftBySigkillRestoresTheOriginal() throws Exception {
        long seed = Long.getLong("lvmsync.kill.seed", System.nanoTime());
        Random rnd = new Random(seed);
        try (LoopDevice loop = LoopDevice.attach("kill-nine", SIZE, work.resolve("loop"))) {
            Path dest = loop.device();
            byte[] original = random(rnd, SIZE);
            Files.write(dest, original);
            Stream made = stream(rnd);
            // each receiver starts while the one before it runs: until its first record arrives it
            // only waits on stdin (the destination is opened after the stream's header), and the
            // JVM's start would otherwise be most of each point's time; the run left alone has one
            // starting beside it too, so that its tail is what the points' runs see
            Process next = receiver(dest, work.resolve("undo-0"), work.resolve("state-0"), ProcessBuilder.Redirect.DISCARD);
            long tailMillis;
            try {
                tailMillis = wholeRun(dest, made.bytes(), original);
            } catch (Throwable t) {
                next.toHandle().destroyForcibly();
                throw t;
            }

            int changed = 0;
            int cutMidRun = 0;
            int withoutUndo = 0;
            int withoutEnd = 0;
            int completed = 0;
            List<String> failed = new ArrayList<>();
            try {
                for (int point = 0; point < POINTS; point++) {
                    Path undo = work.resolve("undo-" + point);
                    Path state = work.resolve("state-" + point);
                    Process p = next;
                    next = point + 1 < POINTS ? receiver(dest, work.resolve("undo-" + (point + 1)),
                            work.resolve("state-" + (point + 1)), ProcessBuilder.Redirect.DISCARD) : null;
                    Phase phase = Phase.of(point);
                    int fed = phase.fed(made, rnd);
                    long pauseMillis = phase.pauseMillis(rnd, tailMillis);
                    feedAndKill(p, made.bytes(), fed, pauseMillis);
                    boolean done = p.exitValue() == 0;
                    completed += done ? 1 : 0;
                    boolean touched = !Arrays.equals(original, Files.readAllBytes(dest));
                    changed += touched ? 1 : 0;
                    cutMidRun += touched && !done ? 1 : 0;
                    String wrong = restore(dest, undo, state, original);
                    if (wrong == null) {
                        withoutUndo += Files.exists(undo) ? 0 : 1;
                        withoutEnd += lastRestoreSkippedATail ? 1 : 0;
                    } else {
                        failed.add("point " + point + " (" + phase + ": fed " + fed + " of " + made.bytes().length
                                + " bytes, pause " + pauseMillis + " ms, exit " + p.exitValue() + "): " + wrong);
                        Files.write(dest, original);
                    }
                    Files.deleteIfExists(undo);
                }
            } finally {
                if (next != null) {
                    next.toHandle().destroyForcibly();
                    next.waitFor(60, TimeUnit.SECONDS);
                }
            }
            System.out.printf("kill -9 (seed %d; stream of %d bytes, first batch written at byte %d, a whole run's"
                    + " tail %d ms): %d points, %d restored exactly; %d had changed the destination, %d of them"
                    + " killed mid-run; %d left no snapback file; %d snapback files ended without their end record;"
                    + " %d runs had completed%n", seed, made.bytes().length, made.firstFlush(), tailMillis, POINTS,
                    POINTS - failed.size(), changed, cutMidRun, withoutUndo, withoutEnd, completed);
            failed.forEach(f -> System.out.println("  not restored: " + f));
            assertEquals(List.of(), failed, "seed " + seed);
            // the points must land where it matters: after the first write and before the end
            assertTrue(cutMidRun >= POINTS / 4, "too few points killed a run that had changed the destination: "
                    + cutMidRun + " (seed " + seed + ")");
        }
    }

    /**
     * A run left alone must complete, change the destination, and leave an undo file that
     * restores it; returns how long it took from its last byte to its exit.
     */
    private long wholeRun(Path dest, byte[] stream, byte[] original) throws Exception {
        Path said = work.resolve("whole.err");
        Path undo = work.resolve("undo-whole");
        Path state = work.resolve("state-whole");
        Process whole = receiver(dest, undo, state, ProcessBuilder.Redirect.to(said.toFile()));
        long tailMillis = feedAndKill(whole, stream, stream.length, -1);
        assertEquals(0, whole.exitValue(), () -> "a run that was not killed failed: " + read(said));
        assertFalse(Arrays.equals(original, Files.readAllBytes(dest)), "the stream changed nothing");
        assertNull(restore(dest, undo, state, original));
        assertFalse(lastRestoreSkippedATail, "the undo file of a completed run lacks its end record");
        Files.delete(undo);
        return tailMillis;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private boolean lastRestoreSkippedATail;

    /** Null if applying the undo file (if any) gives back {@code original}, else what went wrong. */
    private String restore(Path dest, Path undo, Path state, byte[] original) throws IOException {
        lastRestoreSkippedATail = false;
        if (Files.exists(undo)) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream saved = Log.stream();
            int status;
            try (PrintStream capture = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                Log.setStream(capture);
                status = Main.execute("--apply", undo.toString(), "--state-dir", state.toString(), dest.toString());
            } finally {
                Log.setStream(saved);
                Log.setLevel(Log.Level.NORMAL);
            }
            String said = err.toString(StandardCharsets.UTF_8);
            if (status != 0) {
                return "applying the snapback file failed (exit " + status + "): " + said.strip();
            }
            lastRestoreSkippedATail = said.contains("ends in a torn record");
        }
        if (!Arrays.equals(original, Files.readAllBytes(dest))) {
            return Files.exists(undo) ? "the snapback file did not restore the destination"
                    : "no snapback file, but the destination changed";
        }
        return null;
    }
}
