package org.lvmsync.apply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.os.Faults;
import org.lvmsync.os.Faults.Call;
import org.lvmsync.os.SysBlock;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.testing.LoopDevice;

/**
 * Zero and discard records: they read back as zeros, deallocate where that is sure to,
 * and their pre-images go to the snapback file first, as for data.
 */
class ZeroDiscardTest {
    private static final int SIZE = 4 << 20;
    private static final StreamIdentity ID = new StreamIdentity(UUID.randomUUID(), SIZE, 4096,
            SnapshotIdentity.classic("vg/lv-snap", "LVM-snap", "LVM-origin"), Optional.empty());

    @TempDir
    Path dir;

    /** Blocks allocated to a file (st_blocks, 512 bytes each). */
    static long allocated(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        p.waitFor();
        return Long.parseLong(out);
    }

    private static byte[] random(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Applies a zero record and a discard, unaligned edges included, with a snapback file. */
    private Map<Call, Long> applyExtents(Path dest, Path undo) throws IOException {
        try (Faults.Plan plan = Faults.count(name -> name.equals(dest.toString()));
             Applier a = Applier.open(dest, ApplyOptions.basic(Optional.of(undo), false), Optional.of(ID))) {
            a.accept(new Record.Header(ID), MemorySegment.NULL);
            a.accept(new Record.Zero(100, 1 << 20), MemorySegment.NULL);
            a.accept(new Record.Discard(2 << 20, (1 << 20) + 1000), MemorySegment.NULL);
            a.finish();
            return plan.counts();
        }
    }

    private static byte[] expected(byte[] before) {
        byte[] b = before.clone();
        Arrays.fill(b, 100, 100 + (1 << 20), (byte) 0);
        Arrays.fill(b, 2 << 20, (2 << 20) + (1 << 20) + 1000, (byte) 0);
        return b;
    }

    @Test
    void anImageFileGetsHolesAndTheSnapbackFileRestoresIt() throws Exception {
        byte[] before = random(SIZE, 1);
        Path img = Files.write(dir.resolve("disk.img"), before);
        long blocks = allocated(img);
        Path undo = dir.resolve("undo");
        Map<Call, Long> calls = applyExtents(img, undo);
        assertArrayEquals(expected(before), Files.readAllBytes(img));
        assertEquals(2, calls.get(Call.FALLOCATE), "one hole punched per record: " + calls);
        assertTrue(allocated(img) < blocks - 3000, "holes: " + allocated(img) + " of " + blocks + " blocks left");
        org.lvmsync.job.ApplyJob.run(new org.lvmsync.job.ApplyRequest(undo.toString(), img, Optional.empty(), false));
        assertArrayEquals(before, Files.readAllBytes(img));
    }

    @Test
    void aBlockDeviceZeroesOutAndDeallocatesWhereZerosAreGuaranteed() throws Exception {
        try (LoopDevice loop = LoopDevice.attach("zero-discard", SIZE)) {
            byte[] before = random(SIZE, 2);
            Files.write(loop.device(), before);
            long blocks = allocated(loop.backingFile());
            String dev = loop.device().getFileName().toString();
            SysBlock sys = SysBlock.of(7, Integer.parseInt(dev.substring("loop".length())));
            // a loop device takes write-zeroes requests when its backing file's filesystem can punch
            // holes; it stops taking them once that filesystem refused one (tmpfs has no ZERO_RANGE)
            Destination.DiscardWay way = Destination.discardWay(sys);
            Path undo = dir.resolve("undo");
            Map<Call, Long> calls = applyExtents(loop.device(), undo);
            assertArrayEquals(expected(before), Files.readAllBytes(loop.device()));
            if (way == Destination.DiscardWay.PUNCH && Destination.discardWay(sys) == Destination.DiscardWay.PUNCH) {
                // BLKGETSIZE64, BLKSSZGET, BLKZEROOUT for the zero record; fallocate for the discard
                assertEquals(3, calls.get(Call.IOCTL), calls.toString());
                assertEquals(1, calls.get(Call.FALLOCATE), calls.toString());
                assertTrue(allocated(loop.backingFile()) < blocks - 1500,
                        "the discard deallocated: " + allocated(loop.backingFile()) + " of " + blocks);
            } else {
                // no write-zeroes: the discard is zeroed out (BLKZEROOUT, which the kernel writes as zeros)
                assertEquals(0, calls.get(Call.FALLOCATE) - (way == Destination.DiscardWay.PUNCH ? 1 : 0),
                        calls.toString());
            }
            org.lvmsync.job.ApplyJob.run(new org.lvmsync.job.ApplyRequest(undo.toString(), loop.device(),
                    Optional.empty(), false));
            assertArrayEquals(before, Files.readAllBytes(loop.device()));
        }
    }
}
