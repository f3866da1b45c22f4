package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.stream.ExtendedFormat;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamIdentity;

/**
 * The receiving side's new promises through the real command line: the base check
 * (exit 7, nothing written), --verify and --verify FILE DEST (exit 6), an undo file that
 * ends in a torn record (skipped, exit 0) against an ordinary stream cut short (exit 5),
 * and the usage errors of the new options.
 */
class TrustCommandLineTest {
    static final int SIZE = 1 << 20;
    static final SnapshotIdentity A1 = SnapshotIdentity.classic("vg/a-snap", "LVM-a1", "LVM-a");
    static final SnapshotIdentity A2 = SnapshotIdentity.classic("vg/a-snap", "LVM-a2", "LVM-a");
    static final SnapshotIdentity B1 = SnapshotIdentity.classic("vg/b-snap", "LVM-b1", "LVM-b");

    @TempDir
    Path dir;

    record Rec(long offset, byte[] data) {
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** An extended stream of {@code source}'s changes {@code records}. */
    static byte[] stream(SnapshotIdentity source, List<Rec> records) throws IOException {
        return stream(new StreamIdentity(UUID.randomUUID(), SIZE, 4096, source, Optional.empty()), records);
    }

    static byte[] stream(StreamIdentity id, List<Rec> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StreamEncoder enc = ExtendedFormat.V1.encoder(Channels.newChannel(out))) {
            enc.writeHandshake();
            enc.write(new Record.Header(id), MemorySegment.NULL);
            for (Rec r : records) {
                enc.write(new Record.Data(r.offset(), r.data().length), MemorySegment.ofArray(r.data()));
            }
            enc.finish();
        }
        return out.toByteArray();
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private FaultSweepTest.Cli.Result lvmsync(String... args) {
        return FaultSweepTest.Cli.run(args);
    }

    private String state() {
        return dir.resolve("state").toString();
    }

    @Test
    void aStreamOfAnotherVolumeIsRefusedWithNothingWritten() throws IOException {
        byte[] before = random(SIZE, 1);
        Path img = file("disk.img", before);
        Path first = file("a1", stream(A1, List.of(new Rec(0, random(4096, 2)))));
        assertEquals(0, lvmsync("--apply", first.toString(), "--state-dir", state(), img.toString()).status(),
                "the first sync after a full copy: no record, accepted");
        byte[] afterA1 = Files.readAllBytes(img);

        Path other = file("b1", stream(B1, List.of(new Rec(8192, random(4096, 3)))));
        Path undo = dir.resolve("undo-b1");
        FaultSweepTest.Cli.Result r = lvmsync("--apply", other.toString(), "--snapback", undo.toString(),
                "--state-dir", state(), img.toString());
        assertEquals(7, r.status(), r.stderr());
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), r.stderr());
        assertTrue(lines.get(0).startsWith("lvmsync: " + img + ": the destination holds vg/a-snap (LV UUID LVM-a1)"
                + " (origin LVM-a), but this stream carries the changes of vg/b-snap (LV UUID LVM-b1) (origin LVM-b),"
                + " another volume: applied, it would mix two histories (a --full copy of it replaces the destination"
                + " whole and is accepted) (recorded in "), lines.get(0));
        assertTrue(lines.get(0).endsWith("); nothing was written. If " + img + " was copied whole since, or you know"
                + " better, run again with --force"), lines.get(0));
        assertArrayEquals(afterA1, Files.readAllBytes(img), "nothing written");
        assertFalse(Files.exists(undo), "no undo file left");

        Path next = file("a2", stream(A2, List.of(new Rec(4096, random(4096, 4)))));
        assertEquals(0, lvmsync("--apply", next.toString(), "--state-dir", state(), img.toString()).status(),
                "the next snapshot of the same volume");
        assertEquals(0, lvmsync("--apply", other.toString(), "--force", "--state-dir", state(), img.toString())
                .status(), "--force");
    }

    /**
     * A whole-device stream (what --full sends) onto a destination whose record names
     * another volume: accepted, and recorded, so the other volume's next changes are then
     * refused. A stream in the original's format is accepted unchecked, with a warning, and
     * clears the record: the next extended stream is taken as after a first copy.
     */
    @Test
    void aWholeDeviceStreamReplacesTheRecordAndAClassicStreamClearsIt() throws IOException {
        Path img = file("disk.img", random(SIZE, 11));
        assertEquals(0, lvmsync("--apply", file("a1", stream(A1, List.of(new Rec(0, random(4096, 12))))).toString(),
                "--state-dir", state(), img.toString()).status());
        byte[] wholeB = random(SIZE, 13);
        Path b1 = file("b1-full", stream(StreamIdentity.wholeDevice(UUID.randomUUID(), SIZE, 4096, B1),
                List.of(new Rec(0, Arrays.copyOf(wholeB, SIZE / 2)),
                        new Rec(SIZE / 2, Arrays.copyOfRange(wholeB, SIZE / 2, SIZE)))));
        FaultSweepTest.Cli.Result full = lvmsync("--apply", b1.toString(), "--state-dir", state(), img.toString());
        assertEquals(0, full.status(), full.stderr());
        assertFalse(full.stderr().contains("lvmsync:"), "no warning, no --force: " + full.stderr());
        assertArrayEquals(wholeB, Files.readAllBytes(img));

        Path a2 = file("a2", stream(A2, List.of(new Rec(4096, random(4096, 14)))));
        FaultSweepTest.Cli.Result refused = lvmsync("--apply", a2.toString(), "--state-dir", state(), img.toString());
        assertEquals(7, refused.status(), refused.stderr());
        assertTrue(refused.stderr().contains("the destination holds vg/b-snap (LV UUID LVM-b1)"), refused.stderr());
        assertArrayEquals(wholeB, Files.readAllBytes(img), "nothing written");

        Path classic = file("classic", FaultSweepTest.encode(List.of(new FaultSweepTest.Rec(0, random(4096, 15)))));
        FaultSweepTest.Cli.Result unchecked = lvmsync("--apply", classic.toString(), "--state-dir", state(),
                img.toString());
        assertEquals(0, unchecked.status(), unchecked.stderr());
        assertTrue(unchecked.stderr().contains("lvmsync: " + img + ": this stream is in the original's format, which"
                + " names no snapshot: it is not checked against the snapshot the destination holds, vg/b-snap (LV UUID"
                + " LVM-b1), and the destination's record is cleared"), unchecked.stderr());
        assertEquals(0, lvmsync("--apply", a2.toString(), "--state-dir", state(), img.toString()).status(),
                "no record: accepted as after a first copy");
    }

    @Test
    void undoFilesAreTakenNewestFirst() throws IOException {
        byte[] before = random(SIZE, 5);
        Path img = file("disk.img", before);
        Path sb1 = dir.resolve("sb1");
        Path sb2 = dir.resolve("sb2");
        assertEquals(0, lvmsync("--apply", file("a1", stream(A1, List.of(new Rec(0, random(8192, 6))))).toString(),
                "--snapback", sb1.toString(), "--state-dir", state(), img.toString()).status());
        assertEquals(0, lvmsync("--apply", file("a2", stream(A2, List.of(new Rec(4096, random(8192, 7))))).toString(),
                "--snapback", sb2.toString(), "--state-dir", state(), img.toString()).status());
        FaultSweepTest.Cli.Result wrongOrder = lvmsync("--apply", sb1.toString(), "--state-dir", state(), img.toString());
        assertEquals(7, wrongOrder.status(), wrongOrder.stderr());
        assertTrue(wrongOrder.stderr().contains("apply the newer undo files first"), wrongOrder.stderr());
        assertEquals(0, lvmsync("--apply", sb2.toString(), "--state-dir", state(), img.toString()).status());
        assertEquals(0, lvmsync("--apply", sb1.toString(), "--state-dir", state(), img.toString()).status());
        assertArrayEquals(before, Files.readAllBytes(img));
    }

    @Test
    void verifyAfterApplyingAndVerifyOfAFileAgainstADestination() throws IOException {
        byte[] before = random(SIZE, 8);
        Path img = file("disk.img", before);
        byte[] data = random(65536, 9);
        Path s = file("s", stream(A1, List.of(new Rec(4096, data), new Rec(200_000, new byte[8192]))));
        FaultSweepTest.Cli.Result applied = lvmsync("--apply", s.toString(), "--verify", "--state-dir", state(),
                img.toString());
        assertEquals(0, applied.status(), applied.stderr());
        FaultSweepTest.Cli.Result same = lvmsync("--verify", s.toString(), img.toString());
        assertEquals(0, same.status(), same.stderr());
        assertTrue(same.stderr().startsWith("Verified 2 records (73728 bytes) of " + s + " against " + img), same.stderr());

        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {   // a corrupted block
            f.seek(4096 + 40_000);
            f.write(~data[40_000]);
        }
        FaultSweepTest.Cli.Result differs = lvmsync("--verify", s.toString(), img.toString());
        assertEquals(6, differs.status(), differs.stderr());
        assertEquals("lvmsync: " + img + " differs from change stream " + s + " at byte 44096, in record 2 at stream"
                + " byte " + differs.stderr().replaceAll("(?s).*at stream byte (\\d+) .*", "$1") + " (bytes [4096,"
                + " 69632)); the stream was not applied there, or something changed the destination since",
                differs.stderr().strip());
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(200_000 + 5);
            f.write(1);
        }
        FaultSweepTest.Cli.Result notZero = lvmsync("--verify", s.toString(), img.toString());
        assertEquals(6, notZero.status());
    }

    @Test
    void aTornLastRecordOfAnUndoFileIsSkippedButNotOfAStream() throws IOException {
        byte[] before = random(SIZE, 10);
        Path img = file("disk.img", before);
        Path undo = dir.resolve("undo");
        byte[] s = stream(A1, List.of(new Rec(0, random(4096, 11)), new Rec(65536, random(100_000, 12))));
        assertEquals(0, lvmsync("--apply", file("s", s).toString(), "--snapback", undo.toString(),
                "--state-dir", state(), img.toString()).status());
        byte[] undoBytes = Files.readAllBytes(undo);
        // as a crash leaves it: no end record, the last record torn at one byte or another
        for (int cut : new int[] {undoBytes.length - 112, undoBytes.length - 112 - 1000, undoBytes.length - 112 - 99_990}) {
            Path torn = file("torn-" + cut, Arrays.copyOf(undoBytes, cut));
            Path copy = file("copy.img", Files.readAllBytes(img));
            FaultSweepTest.Cli.Result r = lvmsync("--apply", torn.toString(), copy.toString());
            assertEquals(0, r.status(), r.stderr());
            assertTrue(r.stderr().contains("lvmsync: undo file " + torn + " ends in a torn record (record "), r.stderr());
            assertTrue(r.stderr().contains("skipped"), r.stderr());
        }
        byte[] cutStream = Arrays.copyOf(s, s.length - 50_000);
        FaultSweepTest.Cli.Result r = lvmsync("--apply", file("cut", cutStream).toString(), "--state-dir", state(),
                file("other.img", before).toString());
        assertEquals(5, r.status(), r.stderr());
        assertTrue(r.stderr().contains("payload cut short"), r.stderr());
    }

    @Test
    void theNewOptionsRefuseWhatCannotWork() throws IOException {
        Path img = file("disk.img", new byte[4096]);
        Path s = file("s", stream(A1, List.of()));
        String[][] usage = {
            {"--apply", s.toString(), "--resume", img.toString()},
            {"--apply", s.toString(), "--protocol", "3", img.toString()},
            {"--apply", s.toString(), "-z", img.toString()},
            {"--stdout", "--verify", "vg/lv-snap"},
            {"--stdout", "--resume", "vg/lv-snap"},
            {"--protocol", "3", "--verify", "vg/lv-snap", "/dev/null"},
            {"--protocol", "3", "-z", "--stdout", "vg/lv-snap"},
            {"--protocol", "4", "--stdout", "vg/lv-snap"},
            {"--compress=0", "--stdout", "vg/lv-snap"},
            {"--compress=23", "--stdout", "vg/lv-snap"},
            {"--verify", "--force", s.toString(), img.toString()},
        };
        for (String[] args : usage) {
            FaultSweepTest.Cli.Result r = lvmsync(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.stderr());
        }
    }
}
