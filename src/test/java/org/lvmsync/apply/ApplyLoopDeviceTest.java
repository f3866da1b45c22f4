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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.job.ApplyJob;
import org.lvmsync.job.ApplyRequest;
import org.lvmsync.LvmsyncException;
import org.lvmsync.apply.StreamFiles.Rec;
import org.lvmsync.os.Fd;
import org.lvmsync.testing.LoopDevice;
import org.lvmsync.testing.PageCache;

/** --apply onto a real block device: a loop device over a file in target/ (root only). */
class ApplyLoopDeviceTest {
    private static final int SIZE = 8 << 20;
    private static Path work;
    private static Path backing;
    private static Path loop;
    private static LoopDevice device;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream savedLog;
    private byte[] original;

    @BeforeAll
    static void attach() throws Exception {
        device = LoopDevice.attach("apply", SIZE);
        loop = device.device();
        backing = device.backingFile();
        work = Files.createDirectories(Path.of("target", "apply-loop-test-" + ProcessHandle.current().pid()));
    }

    @AfterAll
    static void detach() throws Exception {
        if (device != null) {
            device.close();
        }
        if (work != null) {
            try (var files = Files.list(work)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(work);
        }
    }

    @BeforeEach
    void fill() throws IOException {
        savedLog = Log.stream();
        Log.setStream(new PrintStream(log, true, StandardCharsets.UTF_8));
        original = random(new Random(11), SIZE);
        try (var ch = java.nio.channels.FileChannel.open(loop, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(original));
            ch.force(true);
        }
    }

    @AfterEach
    void restoreLog() throws IOException {
        Log.setStream(savedLog);
        for (String name : List.of("changes", "undo")) {
            Files.deleteIfExists(work.resolve(name));
        }
    }

    /** The device's content, read past any cache of ours. */
    private static byte[] device() throws IOException {
        try (Fd fd = Fd.open(loop, Fd.O_RDONLY)) {
            fd.flushBlockBuffers();
        }
        return Files.readAllBytes(backing);
    }

    private void apply(List<Rec> records, Path snapback, boolean skipPastEnd) throws IOException {
        Path stream = StreamFiles.write(work.resolve("changes"), records);
        ApplyJob.run(new ApplyRequest(stream.toString(), loop, Optional.ofNullable(snapback), skipPastEnd));
    }

    @Test
    void alignedAndUnalignedRecordsAndRollback() throws IOException {
        Random rnd = new Random(12);
        List<Rec> records = new ArrayList<>();
        records.add(new Rec(0, random(rnd, 4096)));               // direct
        records.add(new Rec(1 << 20, random(rnd, 1 << 20)));      // direct, large
        records.add(new Rec(100_001, random(rnd, 7)));            // buffered
        records.add(new Rec(512, random(rnd, 1000)));             // buffered, overlaps the first
        records.add(new Rec(1536, random(rnd, 512)));             // direct, inside the previous one
        records.add(new Rec(SIZE - 512, random(rnd, 512)));       // last sector
        for (int i = 0; i < 500; i++) {
            records.add(new Rec(4096L * rnd.nextInt(SIZE / 4096), random(rnd, 4096)));
        }
        Path undo = work.resolve("undo");
        apply(records, undo, false);
        assertArrayEquals(StreamFiles.model(original, records), device());
        ApplyJob.run(new ApplyRequest(undo.toString(), loop, Optional.empty(), false));
        assertArrayEquals(original, device());
    }

    /** The original's stream shape: scattered 4 KiB records, which go through the page cache. */
    @Test
    void smallRecordsLeaveNoPageCacheBehind() throws IOException {
        Random rnd = new Random(13);
        List<Rec> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            records.add(new Rec(4096L * rnd.nextInt(SIZE / 4096), random(rnd, 4096)));
        }
        // held open like a running service would: the last close drops the cache anyway
        try (var holder = java.nio.channels.FileChannel.open(loop, java.nio.file.StandardOpenOption.READ)) {
            java.nio.ByteBuffer all = java.nio.ByteBuffer.allocate(SIZE);
            while (all.hasRemaining() && holder.read(all, all.position()) > 0) {
                // buffered reads of the device fill its cache
            }
            assertTrue(PageCache.residentPages(loop) > SIZE / 4096 / 2, "mincore sees cached pages");
            apply(records, work.resolve("undo-cache"), false);
            assertEquals(0, PageCache.residentPages(loop), "apply drops the destination's cached pages");
        }
        assertArrayEquals(StreamFiles.model(original, records), device());
    }

    @Test
    void recordPastTheEndIsRefusedWithNothingWritten() throws IOException {
        List<Rec> records = List.of(new Rec(0, new byte[] {1, 2, 3, 4}), new Rec(SIZE - 4096, new byte[8192]));
        Path undo = work.resolve("undo");
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> apply(records, undo, false));
        assertEquals(FailureClass.BAD_INPUT, e.failureClass());
        assertEquals("change stream " + work.resolve("changes") + ", record 2 at stream byte 33: record at offset "
                + (SIZE - 4096) + " (length 8192) ends past the end of " + loop + " (" + SIZE
                + " bytes); nothing of it was written; --skip-past-end writes the part inside and skips the rest",
                e.getMessage());
        byte[] now = device();
        assertArrayEquals(StreamFiles.model(original, records.subList(0, 1)), now);   // the first one only
        assertEquals(1, StreamFiles.read(undo).size());
    }

    /**
     * Defect 3 of issue 10: a 1 MiB record of the sender straddling the end was skipped
     * whole, leaving its 512 KiB inside the device stale, with exit 0.
     */
    @Test
    void skipPastEndWritesThePartInsideAndSkipsTheRest() throws IOException {
        byte[] straddling = random(new Random(12), 1 << 20);
        List<Rec> records = List.of(new Rec(SIZE - (512 << 10), straddling), new Rec(0, new byte[] {1, 2, 3, 4}),
                new Rec(SIZE, new byte[512]));
        Path undo = work.resolve("undo-skip");
        apply(records, undo, true);
        List<Rec> inside = List.of(new Rec(SIZE - (512 << 10), java.util.Arrays.copyOf(straddling, 512 << 10)),
                records.get(1));
        assertArrayEquals(StreamFiles.model(original, inside), device());
        String messages = log.toString(StandardCharsets.UTF_8);
        assertTrue(messages.contains("lvmsync: record at offset " + (SIZE - (512 << 10)) + " (length 1048576) reaches"
                + " past the end of " + loop + " (" + SIZE + " bytes): writing its 524288 bytes inside, skipping the"
                + " 524288 past the end"), messages);
        assertTrue(messages.contains("lvmsync: skipping record at offset " + SIZE + " (length 512): past the end of "
                + loop + " (" + SIZE + " bytes)"), messages);
        assertTrue(messages.contains("lvmsync: 2 records reached past the end of " + loop + "; the 524800 bytes"
                + " past the end were skipped"), messages);
        assertTrue(messages.contains("Applied 2 records (524292 bytes)"), messages);
        // the snapback file holds the old bytes of the part inside, and undoes it
        ApplyJob.run(new ApplyRequest(undo.toString(), loop, Optional.empty(), false));
        assertArrayEquals(original, device());
    }

    @Test
    void busyDeviceIsRefused() throws IOException {
        try (Fd holder = Fd.open(loop, Fd.O_RDONLY | Fd.O_EXCL)) {
            Path undo = work.resolve("undo");
            LvmsyncException e = assertThrows(LvmsyncException.class,
                    () -> apply(List.of(new Rec(0, new byte[] {1})), undo, false));
            assertEquals("destination " + loop + " is mounted or in use by another program (EBUSY);"
                    + " unmount it or stop what holds it", e.getMessage());
            assertFalse(Files.exists(undo), "nothing is created when the destination is refused");
        }
        assertArrayEquals(original, device());
    }
}
