package org.lvmsync.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README workflow on real LVM classic snapshots, end to end through the command line:
 * origin with a pattern, snapshot, full copy, scattered writes (first and last chunk
 * included), lvmsync, then the destination equals the origin byte for byte and exactly
 * the changed chunks were sent. Local mode and the snapback undo run in this JVM; the
 * {@code --stdout | --apply -} pipe runs two launcher processes.
 *
 * <p>Every VG and LV name holds dashes and dots, and the snapshot is named all three ways
 * ({@code /dev/VG/LV}, {@code /dev/mapper/VG-LV} with doubled dashes, {@code VG/LV}).
 */
@Tag("kernel")
class ClassicSyncKernelTest {
    private static final String VG = "e2e.my-vg";
    private static LvmFixture lvm;

    @TempDir
    Path tmp;

    @BeforeAll
    static void createGroup() {
        lvm = LvmFixture.create(VG);
    }

    @AfterAll
    static void removeGroup() {
        if (lvm != null) {
            lvm.close();
        }
    }

    @Test
    void localSyncWith4KiBChunksNamedDevVgLv() {
        SyncScenario s = SyncScenario.prepare(lvm, "data.v1-a", "copy.v1-a", 32, 4, 8);
        assertFalse(Devices.sameBytes(s.originPath(), s.destinationPath()), "the writes changed the origin");

        long readBefore = Devices.sectorsRead(s.originPath());
        Lvmsync.Run run = Lvmsync.inProcess("-v", "--verify", lvm.path(s.snapshot).toString(),
                s.destinationPath().toString());
        long read = (Devices.sectorsRead(s.originPath()) - readBefore) * 512;

        run.assertStatus(0);
        assertTrue(run.stderr().contains(": as written"), "--verify read every written range back:\n" + run.stderr());
        // the changed chunks, and where the origin's disk says it seeks, the gaps of up to
        // 256 KiB between them that the sender reads over (sync.ReadGap)
        assertEquals(s.expectedReadBytes(readGap(s.originPath())), read,
                "bytes read from the origin = the changed 4 KiB chunks and the gaps read over");
        Devices.assertSameBytes(s.originPath(), s.destinationPath());
        assertEquals(s.expectedBytes(), run.transferredBytes(), "bytes sent = the changed 4 KiB chunks");
        assertTrue(run.stderr().contains("(" + s.expectedBytes() + " bytes)"), "the applier's count");
        assertFalse(run.stderr().contains("is open by"), run.stderr());
    }

    @Test
    void localSyncWith64KiBChunksNamedDevMapper() {
        SyncScenario s = SyncScenario.prepare(lvm, "data.v2-b", "copy.v2-b", 32, 64, 8);
        String mapper = lvm.mapperPath(s.snapshot).toString();
        assertTrue(mapper.contains("e2e.my--vg-data.v2--b--snap"), mapper);

        // a read gap that is no number: one line, before the undo file or the destination is touched
        Path undo = tmp.resolve("undo-v2-b");
        Lvmsync.Run bad = Lvmsync.shell("LVMSYNC_READ_GAP=64k " + quote(Lvmsync.LAUNCHER) + " --snapback " + quote(undo)
                + " " + quote(mapper) + " " + quote(s.destinationPath()));
        bad.assertRefused(2, "LVMSYNC_READ_GAP=64k is not a read gap; use a number of bytes from 0 to 4194304");
        assertFalse(Files.exists(undo), "no undo file for a refused run");
        assertFalse(Devices.sameBytes(s.originPath(), s.destinationPath()), "the destination was not written");

        Lvmsync.Run run;
        // a "service" still holds the origin open: the sync warns and still works
        try (FileChannel service = FileChannel.open(s.originPath(), StandardOpenOption.READ)) {
            run = Lvmsync.inProcess(mapper, s.destinationPath().toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        run.assertStatus(0);
        assertTrue(run.stderr().contains("is open by 1 holder (mounted, or a service still running)"), run.stderr());
        Devices.assertSameBytes(s.originPath(), s.destinationPath());
        assertEquals(s.expectedBytes(), run.transferredBytes(), "bytes sent = the changed 64 KiB chunks");
    }

    /**
     * -r/--data-source: the changed chunks are read from a second snapshot, so the
     * destination becomes that snapshot's point in time, while the origin goes on changing.
     */
    @Test
    void dataSourceReadsTheChangedChunksFromASecondSnapshot() {
        SyncScenario s = SyncScenario.prepare(lvm, "data.v9-ds", "copy.v9-ds", 16, 4, 8);
        lvm.snapshot(s.origin, "data.v9-ds-later", 8, 4);
        Path later = lvm.path("data.v9-ds-later");
        // the service goes on writing after the second snapshot: those bytes must not arrive
        lvm.writePattern(s.origin, 2 * SyncScenario.MIB, 4096, 99);
        assertFalse(Devices.sameBytes(s.originPath(), later), "the origin moved on");

        Lvmsync.Run run = Lvmsync.inProcess("--data-source", later.toString(),
                lvm.path(s.snapshot).toString(), s.destinationPath().toString());

        run.assertStatus(0);
        Devices.assertSameBytes(later, s.destinationPath());
        // the first snapshot also recorded the later write's chunk: it is sent, from the second snapshot
        assertEquals(s.expectedBytes() + 4096, run.transferredBytes());
    }

    @Test
    void snapbackUndoesTheSyncExactlyNamedVgLv() throws IOException {
        SyncScenario s = SyncScenario.prepare(lvm, "data.v3-c", "copy.v3-c", 16, 4, 8);
        Path undo = tmp.resolve("copy.v3-c.snapback");

        Lvmsync.inProcess("--snapback", undo.toString(), s.snapshotVgLv(), s.destinationPath().toString())
                .assertStatus(0);
        Devices.assertSameBytes(s.originPath(), s.destinationPath());
        List<long[]> saved = ChangeStream.records(Files.readAllBytes(undo));
        ChangeStream.assertSortedDisjoint(saved);
        ChangeStream.assertSameRanges(s.expectedRuns(), ChangeStream.coalesce(saved));

        Lvmsync.inProcess("--apply", undo.toString(), s.destinationPath().toString()).assertStatus(0);
        // the snapshot still shows the origin as it was at the full copy
        Devices.assertSameBytes(lvm.path(s.snapshot), s.destinationPath());
    }

    @Test
    void stdoutPipedIntoApplyInAnotherProcess() throws IOException {
        SyncScenario s = SyncScenario.prepare(lvm, "data.v4-d", "copy.v4-d", 16, 4, 8);
        Path stream = tmp.resolve("changes");

        // the original's format, whose size is known to the byte (the extended one is the default)
        Lvmsync.Run run = Lvmsync.shell(quote(Lvmsync.LAUNCHER) + " --stdout --protocol 3 " + quote(s.snapshotVgLv())
                + " | tee " + quote(stream) + " | " + quote(Lvmsync.LAUNCHER) + " --apply - "
                + quote(s.destinationPath()));

        run.assertStatus(0);
        Devices.assertSameBytes(s.originPath(), s.destinationPath());
        byte[] bytes = Files.readAllBytes(stream);
        List<long[]> records = ChangeStream.records(bytes);
        ChangeStream.assertSortedDisjoint(records);
        ChangeStream.assertSameRanges(s.expectedRuns(), ChangeStream.coalesce(records));
        assertEquals(ChangeStream.HANDSHAKE.length + 12L * records.size() + s.expectedBytes(), bytes.length,
                "stream = handshake + headers + the changed chunks");
        assertEquals(s.expectedBytes(), run.transferredBytes());
        // a block of the destination damaged after the apply: --verify FILE DEST (the original's format too)
        TrustChecks.verifyFindsADamagedBlock(stream, s.destinationPath(), 9 * SyncScenario.MIB + 512 * 1024);
    }

    @Test
    void overflowedSnapshotIsRefusedAndNothingIsWritten() {
        SyncScenario s = SyncScenario.prepareCopy(lvm, "full.v5-e", "copy.v5-e", 16, 4, 4);
        // 8 MiB of 4 KiB exceptions cannot fit in a 4 MiB COW
        for (long at = 0; at < 8 * SyncScenario.MIB; at += SyncScenario.MIB) {
            lvm.writePattern(s.origin, at, (int) SyncScenario.MIB, SyncScenario.NEW_SEED);
        }

        Lvmsync.Run run = Lvmsync.inProcess(s.snapshotVgLv(), s.destinationPath().toString());

        run.assertRefused(1, "no longer records every changed chunk");
        assertTrue(run.stderr().contains("overflowed") || run.stderr().contains("invalid"), run.stderr());
        assertHoldsPattern(s.destination, s.sizeBytes, SyncScenario.OLD_SEED);
    }

    @Test
    void refusalsAreOneLineWithTheDocumentedExitCode() {
        lvm.linear("plain.v6-f", 4);
        lvm.linear("orig.v6-g", 4);
        lvm.snapshot("orig.v6-g", "orig.v6-g-snap", 4, 4);
        lvm.linear("copy.v6-g", 4);
        String copy = lvm.path("copy.v6-g").toString();

        Lvmsync.inProcess(VG + "/plain.v6-f", copy).assertRefused(1, "is not a snapshot");
        Lvmsync.inProcess(lvm.path("orig.v6-g").toString(), copy).assertRefused(1, "is the origin of a snapshot");
        Lvmsync.inProcess(VG + "/no-such.lv", copy).assertRefused(1, "is not an active logical volume");
        Lvmsync.inProcess(VG + "/orig.v6-g-snap", lvm.path("orig.v6-g").toString())
                .assertRefused(2, "is the same device as");
        Lvmsync.inProcess(VG + "/orig.v6-g-snap", lvm.mapperPath("orig.v6-g-snap").toString())
                .assertRefused(2, "is the same device as");
    }

    /**
     * The original ran {@code echo 3 > /proc/sys/vm/drop_caches} before reading the COW:
     * every workload on the host lost its cache. A file on an unrelated filesystem must
     * stay resident, and the sync's own O_DIRECT reads must not fill the cache of the
     * origin or the COW device either.
     *
     * <p>The kernel drops a block device's cache when its last opener closes it, so the
     * origin is held open here, as the service using it would; the COW device is held by
     * the snapshot's table. fincore reports nothing for block devices: mincore(2) over a
     * mapping of the device does the same job.
     */
    @Test
    void pageCacheOfOtherFilesAndOfTheDevicesIsLeftAlone() throws IOException {
        Commands.run("modprobe", "ext4");   // in the guest's initramfs, not loaded at boot
        Path fs = lvm.linear("fs.v7-h", 16);
        Commands.run("mkfs.ext4", "-q", "-F", fs.toString());
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        Commands.run("mount", fs.toString(), mnt.toString());
        SyncScenario s = SyncScenario.prepare(lvm, "data.v7-h", "copy.v7-h", 16, 4, 8);
        Path cow = Path.of(lvm.mapperPath(s.snapshot) + "-cow");
        try (FileChannel service = FileChannel.open(s.originPath(), StandardOpenOption.READ)) {
            Path file = mnt.resolve("warm.bin");
            Files.write(file, TestPattern.bytes(7, 0, (int) SyncScenario.MIB));
            Commands.run("sync", file.toString());
            Files.readAllBytes(file);
            assertEquals(SyncScenario.MIB, residentBytes(file), "fincore right after reading " + file);
            service.read(ByteBuffer.allocate(64 * 1024), 0);
            assertTrue(Devices.residentPages(s.originPath()) >= 16, "mincore sees the 64 KiB just read");
            for (Path device : List.of(s.originPath(), cow)) {
                Commands.run("blockdev", "--flushbufs", device.toString());
                assertEquals(0, Devices.residentPages(device), "cached pages of " + device + " after BLKFLSBUF");
            }

            Lvmsync.inProcess(s.snapshotVgLv(), s.destinationPath().toString()).assertStatus(0);

            assertEquals(SyncScenario.MIB, residentBytes(file), "fincore of " + file + " after the sync");
            for (Path device : List.of(s.originPath(), cow)) {
                assertEquals(0, Devices.residentPages(device), "cached pages of " + device + " after the sync");
            }
            Devices.assertSameBytes(s.originPath(), s.destinationPath());
        } finally {
            Commands.run("umount", mnt.toString());
        }
    }

    /** fincore's word for how much of {@code file} is in the page cache. */
    private static long residentBytes(Path file) {
        return Long.parseLong(Commands.run("fincore", "--bytes", "--noheadings", "--output", "RES",
                file.toString()).trim());
    }

    private static void assertHoldsPattern(String lv, long size, long seed) {
        for (long at = 0; at < size; at += SyncScenario.MIB) {
            assertArrayEquals(TestPattern.bytes(seed, at, (int) SyncScenario.MIB),
                    lvm.read(lv, at, (int) SyncScenario.MIB), lv + " changed in the MiB at " + at);
        }
    }

    static String quote(Object word) {
        return "'" + word.toString().replace("'", "'\\''") + "'";
    }

    /** The read gap a sync of {@code origin} uses (LVMSYNC_READ_GAP is not set in the tests). */
    private static long readGap(java.nio.file.Path origin) {
        try (org.lvmsync.io.IoEngine engine = org.lvmsync.io.IoEngines.open(origin)) {
            return org.lvmsync.sync.ReadGap.of(engine);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
