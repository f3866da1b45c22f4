package org.lvmsync.apply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvmsync.apply.StreamFiles.random;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.apply.StreamFiles.Rec;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.job.ApplyJob;
import org.lvmsync.job.ApplyRequest;
import org.lvmsync.os.Faults;
import org.lvmsync.os.Faults.Call;
import org.lvmsync.os.Faults.Fault;
import org.lvmsync.testing.LoopDevice;

/**
 * What a failed apply leaves behind (issue 10, defects 1, 2, 5, 6): failures injected at
 * one system call, then the destination and the snapback file are checked.
 */
class FailureRecoveryTest {
    private static final Fault EIO = new Fault.Fail(errno_h.EIO());

    @TempDir
    Path dir;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream savedLog;

    @BeforeEach
    void captureLog() {
        savedLog = Log.stream();
        Log.setStream(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        Faults.disarm();
        Log.setStream(savedLog);
    }

    private Path image(byte[] content) throws IOException {
        return Files.write(dir.resolve("disk.img"), content);
    }

    private void apply(Path stream, Path dest, Path undo) throws IOException {
        ApplyJob.run(new ApplyRequest(stream.toString(), dest, Optional.ofNullable(undo), false));
    }

    /** Calls on this one file only. */
    private static Faults.Plan failOn(Path file, Call call, long nth, Fault fault) {
        String name = file.toString();
        return Faults.arm(name::equals, call, nth, fault);
    }

    /**
     * Defect 1: the fdatasync of the snapback file fails (EIO, ENOSPC under a full thin
     * pool) for a batch flushed because the staging buffer filled up. The batch it protects
     * must not be written; it used to be, on the retry that finishing the run after the
     * failure made, whose second fdatasync returns 0 for data that is not durable.
     */
    @Test
    void aFailedSnapbackSyncStopsTheOverwrite() throws IOException {
        byte[] original = random(new Random(1), 8 << 20);
        Path img = image(original);
        Path stream = StreamFiles.write(dir.resolve("changes"),    // the second does not fit the first's batch
                List.of(new Rec(4096, random(new Random(2), 3 << 20)), new Rec(5 << 20, random(new Random(3), 2 << 20))));
        Path undo = dir.resolve("undo");
        Exception e;
        try (Faults.Plan plan = failOn(undo, Call.FDATASYNC, 2, EIO)) {   // 1: the handshake; 2: batch 1
            e = assertThrows(Exception.class, () -> apply(stream, img, undo));
            assertTrue(plan.fired());
        }
        assertArrayEquals(original, Files.readAllBytes(img), "nothing may be overwritten");
        assertFalse(Files.exists(undo), "an undo file of a run that changed nothing is removed");
        assertEquals("making snapback file " + undo + " durable failed: fdatasync " + undo
                + ": Input/output error (EIO); " + img + " was not changed", e.getMessage());
        assertEquals(FailureClass.IO, ((LvmsyncException) e).failureClass());

        // and so running the same command again is not refused
        apply(stream, img, undo);
        ApplyJob.run(new ApplyRequest(undo.toString(), img, Optional.empty(), false));
        assertArrayEquals(original, Files.readAllBytes(img));
    }

    /**
     * Defect 2, the retry scenario: the write of a snapback record fails after its header
     * went out (a payload larger than the encoder's buffer is written on its own). The file
     * must not keep the torn record, nor take more records after it: it is cut back to the
     * records already made durable, decodes, and undoes exactly what was written.
     */
    @Test
    void aFailedSnapbackWriteLeavesAFileThatDecodesAndRestores() throws IOException {
        byte[] original = random(new Random(4), 8 << 20);
        Path img = image(original);
        Rec first = new Rec(0, random(new Random(5), 3 << 20));    // batch 1
        Rec second = new Rec(5 << 20, random(new Random(6), 2 << 20));  // does not fit: batch 2
        Path stream = StreamFiles.write(dir.resolve("changes"), List.of(first, second));
        Path undo = dir.resolve("undo");
        // writes of the undo file: 1 handshake; batch 1: 2 header, 3 payload; batch 2: 4 header, 5 payload
        Exception e;
        try (Faults.Plan plan = failOn(undo, Call.WRITE, 5, EIO)) {
            e = assertThrows(Exception.class, () -> apply(stream, img, undo));
            assertTrue(plan.fired());
        }
        assertArrayEquals(StreamFiles.model(original, List.of(first)), Files.readAllBytes(img), "batch 1 only");
        List<Rec> saved = StreamFiles.read(undo);
        assertEquals(1, saved.size(), "the pre-image of batch 1, and no torn record after it");
        ApplyJob.run(new ApplyRequest(undo.toString(), img, Optional.empty(), false));
        assertArrayEquals(original, Files.readAllBytes(img));
        assertEquals("saving the bytes about to be overwritten to snapback file " + undo + " failed: write " + undo
                + ": Input/output error (EIO); the bytes being saved were not overwritten; " + img
                + " is partly updated: lvmsync --apply " + undo + " " + img + " undoes this run, or running the"
                + " same command again completes it", e.getMessage());
    }

    /** Defect 6: a run that fails before it writes anything leaves no undo file, so the rerun is not refused. */
    @Test
    void aRunThatWroteNothingRemovesItsSnapbackFile() throws IOException {
        byte[] original = random(new Random(7), 64 << 10);
        Path img = image(original);
        Path stream = StreamFiles.write(dir.resolve("changes"), List.of(new Rec(4096, new byte[] {1, 2, 3})));
        Path undo = dir.resolve("undo");
        Exception e;
        try (Faults.Plan plan = failOn(img, Call.PREAD, 1, EIO)) {   // reading the bytes to save
            e = assertThrows(Exception.class, () -> apply(stream, img, undo));
            assertTrue(plan.fired());
        }
        assertFalse(Files.exists(undo));
        assertArrayEquals(original, Files.readAllBytes(img));
        assertEquals("reading the bytes about to be overwritten from " + img + " failed: pread " + img
                + ": Input/output error (EIO); " + img + " was not changed", e.getMessage());
        apply(stream, img, undo);   // the rerun is not refused
        assertEquals(1, StreamFiles.read(undo).size());
    }

    /** Defect 6, also when the stream is corrupt at its first record: nothing was written. */
    @Test
    void aStreamCorruptAtItsFirstRecordLeavesNoSnapbackFile() throws IOException {
        byte[] original = random(new Random(19), 8192);
        Path img = image(original);
        byte[] whole = StreamFiles.encode(List.of(new Rec(0, new byte[100])));
        Path stream = Files.write(dir.resolve("changes"), Arrays.copyOf(whole, whole.length - 1));
        Path undo = dir.resolve("undo");
        assertThrows(org.lvmsync.stream.CorruptStreamException.class, () -> apply(stream, img, undo));
        assertFalse(Files.exists(undo));
        assertArrayEquals(original, Files.readAllBytes(img));
    }

    /** Defect 6, also when the failure is the snapback file's own set-up (its directory's fsync). */
    @Test
    void aSnapbackFileThatCouldNotBeSetUpIsRemoved() throws IOException {
        Path img = image(new byte[8192]);
        Path stream = StreamFiles.write(dir.resolve("changes"), List.of(new Rec(0, new byte[] {9})));
        Path undo = dir.resolve("undo");
        Exception e;
        try (Faults.Plan plan = failOn(dir, Call.FSYNC, 1, new Fault.Fail(errno_h.ENOSPC()))) {
            e = assertThrows(Exception.class, () -> apply(stream, img, undo));
            assertTrue(plan.fired());
        }
        assertFalse(Files.exists(undo));
        assertEquals("cannot create snapback file " + undo + ": fsync " + dir + ": No space left on device (ENOSPC);"
                + " nothing was written", e.getMessage());
        apply(stream, img, undo);
        assertEquals(9, Files.readAllBytes(img)[0]);
    }

    /**
     * Defect 6: the O_EXCL descriptor of a block device leaked when asking its size failed,
     * and kept the device claimed: the next run was refused as busy.
     */
    @Test
    void aFailedSizeQueryLeavesTheDeviceUnclaimed() throws Exception {
        try (LoopDevice loop = LoopDevice.attach("recovery", 1 << 20)) {
            Path stream = StreamFiles.write(dir.resolve("changes"), List.of(new Rec(0, new byte[] {7})));
            try (Faults.Plan plan = failOn(loop.device(), Call.IOCTL, 1, EIO)) {   // BLKGETSIZE64
                IOException e = assertThrows(IOException.class, () -> apply(stream, loop.device(), null));
                assertEquals("BLKGETSIZE64 " + loop.device() + ": Input/output error (EIO)", e.getMessage());
                assertTrue(plan.fired());
            }
            apply(stream, loop.device(), null);   // EBUSY if the failed run still held it
            assertEquals(7, Files.readAllBytes(loop.backingFile())[0]);
        }
    }

    /**
     * Defect 5: lvmsync 3.0.x's little-endian offsets (64 KiB reads as 1 TiB) are refused,
     * and nothing of such a stream is written, not even the records staged before the one
     * that gave it away.
     */
    @Test
    void aLittleEndianStreamIsRefusedWithNothingWritten() throws IOException {
        byte[] original = random(new Random(8), 1 << 20);
        Path img = image(original);
        Path undo = dir.resolve("undo");
        Path stream = StreamFiles.write(dir.resolve("changes"), List.of(new Rec(0, random(new Random(9), 4096)),
                new Rec(Long.reverseBytes(65536), random(new Random(10), 4096)),
                new Rec(Long.reverseBytes(131072), random(new Random(11), 4096))));
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> apply(stream, img, undo));
        assertEquals(FailureClass.BAD_INPUT, e.failureClass());
        assertEquals("change stream " + stream + ", record 2 at stream byte 4125: record at offset 1099511627776"
                + " (length 4096) lies past the end of " + img + " (1048576 bytes), but read little-endian its offset"
                + " is 65536, inside: this is a stream of lvmsync 3.0.x, which wrote offsets little-endian and cannot"
                + " be applied safely; make the stream again with this lvmsync; " + img
                + " was not changed", e.getMessage());
        assertEquals(1 << 20, Files.size(img));
        assertArrayEquals(original, Files.readAllBytes(img));
        assertFalse(Files.exists(undo));
    }

    /** A genuine stream that grows an image file is not taken for a little-endian one. */
    @Test
    void growingAnImageFileIsStillAllowed() throws IOException {
        byte[] original = random(new Random(12), 1 << 20);
        Path img = image(original);
        List<Rec> records = List.of(new Rec(1 << 20, random(new Random(13), 4096)),
                new Rec((1 << 20) + 65536, random(new Random(14), 100)));
        apply(StreamFiles.write(dir.resolve("changes"), records), img, null);
        assertArrayEquals(StreamFiles.model(original, records), Files.readAllBytes(img));
    }

    /** A write to the destination fails midway: the snapback file undoes exactly what was written. */
    @Test
    void aFailedDestinationWriteIsUndoneByTheSnapbackFile() throws IOException {
        byte[] original = random(new Random(15), 1 << 20);
        Path img = image(original);
        List<Rec> records = List.of(new Rec(0, random(new Random(16), 4096)), new Rec(65536, random(new Random(17), 9)),
                new Rec(500_000, random(new Random(18), 70_000)));
        Path stream = StreamFiles.write(dir.resolve("changes"), records);
        Path undo = dir.resolve("undo");
        try (Faults.Plan plan = failOn(img, Call.PWRITE, 2, new Fault.Fail(errno_h.ENOSPC()))) {
            Exception e = assertThrows(Exception.class, () -> apply(stream, img, undo));
            assertEquals("writing " + img + " failed: pwrite " + img + ": No space left on device (ENOSPC); " + img
                    + " is partly updated: lvmsync --apply " + undo + " " + img + " undoes this run, or running the same"
                    + " command again completes it", e.getMessage());
            assertTrue(plan.fired());
        }
        assertFalse(Arrays.equals(original, Files.readAllBytes(img)), "the first write went through");
        ApplyJob.run(new ApplyRequest(undo.toString(), img, Optional.empty(), false));
        assertArrayEquals(original, Files.readAllBytes(img));
    }
}
