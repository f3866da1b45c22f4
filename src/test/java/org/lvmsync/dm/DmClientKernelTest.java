package org.lvmsync.dm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DmClient against a real kernel. The fixture builds its own devices with dmsetup (tests
 * may; the product never does) on the first scratch disk of LVMSYNC_VM_DISKS:
 * <pre>
 *  sectors        device         table
 *  0..8192        real           linear            4 MiB origin data
 *  8192..16384    cow            linear            4 MiB exception store
 *                 snap           snapshot real cow P 8
 *                 origin         snapshot-origin real
 *  16384..24576   tmeta          linear            4 MiB thin metadata
 *  24576..155648  tdata          linear            64 MiB thin data
 *                 pool           thin-pool tmeta tdata 128 0 1 skip_block_zeroing
 *                 thin           thin pool 1
 *  155648..157696 real2          linear            1 MiB origin that will overflow
 *  157696..157760 cow2           linear            32 KiB exception store
 *                 snap2, origin2 as above
 *  160000..163200 many           400 x linear      a table longer than the first ioctl buffer
 * </pre>
 */
@Tag("kernel")
class DmClientKernelTest {
    private static final String P = "lvmsync-dmtest-";
    private static final List<String> created = Collections.synchronizedList(new ArrayList<>());
    private static String disk;
    private static DmClient dm;

    @BeforeAll
    static void buildDevices() throws Exception {
        // tagged "kernel": only the guest runs these, so a missing precondition is a failure, not a skip
        assertTrue("root".equals(System.getProperty("user.name")),
                "device-mapper tests need root");
        assertTrue(Files.exists(DmClient.CONTROL),
                "no /dev/mapper/control: run in the VM (scripts/vm)");
        String disks = System.getenv().getOrDefault("LVMSYNC_VM_DISKS", "").strip();
        assertTrue(!disks.isEmpty(), "LVMSYNC_VM_DISKS names no scratch disk");
        disk = disks.split("\\s+")[0];
        zero(8192);   // COW header: a fresh persistent store must not find an old one
        zero(16384);  // thin superblock: the pool formats zeroed metadata
        zero(157696);
        create("real", "0 8192 linear " + disk + " 0");
        create("cow", "0 8192 linear " + disk + " 8192");
        create("snap", "0 8192 snapshot " + mapper("real") + " " + mapper("cow") + " P 8");
        create("origin", "0 8192 snapshot-origin " + mapper("real"));
        create("tmeta", "0 8192 linear " + disk + " 16384");
        create("tdata", "0 131072 linear " + disk + " 24576");
        create("pool", "0 131072 thin-pool " + mapper("tmeta") + " " + mapper("tdata") + " 128 0 1 skip_block_zeroing");
        sh("dmsetup", "message", P + "pool", "0", "create_thin 1");
        create("thin", "0 20480 thin " + mapper("pool") + " 1");
        create("real2", "0 2048 linear " + disk + " 155648");
        create("cow2", "0 64 linear " + disk + " 157696");
        create("snap2", "0 2048 snapshot " + mapper("real2") + " " + mapper("cow2") + " P 8");
        create("origin2", "0 2048 snapshot-origin " + mapper("real2"));
        create("many", manyLinearTargets());
        dm = DmClient.open();
    }

    @AfterAll
    static void removeDevices() throws Exception {
        if (dm != null) {
            dm.close();
        }
        List<String> reverse = new ArrayList<>(created);
        Collections.reverse(reverse);
        for (String name : reverse) {
            run("dmsetup", "remove", "--retry", name);
        }
    }

    @Test
    void versionComesFromTheControlNode() throws Exception {
        DmVersion v = dm.version();
        assertEquals(4, v.major());
        assertTrue(v.minor() > 0, v.toString());
        assertTrue(dm.libraryVersion().startsWith("1.02."), dm.libraryVersion());
    }

    @Test
    void listShowsEveryDeviceWithItsNumber() throws Exception {
        Map<String, DevNo> listed = dm.list().stream().collect(Collectors.toMap(DmDevice::name, DmDevice::dev));
        for (String name : created) {
            assertEquals(devNo(Path.of("/dev/mapper", name)), listed.get(name), name);
        }
    }

    /**
     * The first DM_LIST_DEVICES buffer holds 16 bytes of answer, far too few for these
     * devices' names: the kernel says DM_BUFFER_FULL and the list is asked again with more
     * room until it fits. Were that flag ignored, the list would come back empty.
     */
    @Test
    void aListLongerThanTheFirstBufferIsAskedAgainWithMoreRoom() throws Exception {
        List<DmDevice> all = dm.list();
        assertTrue(all.stream().map(DmDevice::name).toList().containsAll(created), all.toString());
        assertEquals(all, dm.list(DmIoctl.HEADER_BYTES + 16));
    }

    /** 400 targets of 40-byte specs and their parameters do not fit the first 16 KiB either. */
    @Test
    void aTableLongerThanTheFirstBufferComesWhole() throws Exception {
        DevNo scratch = devNo(Path.of(disk));
        List<Target> table = dm.table(P + "many");
        assertEquals(MANY, table.size());
        for (int i = 0; i < MANY; i++) {
            assertEquals(new Target(8L * i, 8, "linear", scratch + " " + (160000 + 8L * i)), table.get(i));
        }
        List<Target> status = dm.status(P + "many");
        assertEquals(MANY, status.size());
        assertEquals(new Target(8L * (MANY - 1), 8, "linear", ""), status.get(MANY - 1));
        assertEquals(List.of(scratch), dm.deps(P + "many"));
    }

    @Test
    void infoReportsStateAndOpenCount() throws Exception {
        DmInfo info = dm.info(P + "snap");
        assertTrue(info.exists());
        assertEquals(P + "snap", info.name());
        assertEquals(devNo(Path.of(mapper("snap"))), info.dev());
        assertEquals(1, info.targetCount());
        assertFalse(info.suspended());
        assertFalse(info.readOnly());
        assertTrue(info.liveTable());
        assertEquals(0, info.openCount());
        try (Fd open = Fd.open(Path.of(mapper("snap")), Fd.O_RDONLY)) {
            assertEquals(1, dm.info(P + "snap").openCount());
        }
        assertEquals(info, dm.info(info.dev()));
        assertEquals(Optional.of(P + "snap"), dm.nameOf(info.dev().major(), info.dev().minor()));
        DevNo scratch = devNo(Path.of(disk));
        assertEquals(Optional.empty(), dm.nameOf(scratch.major(), scratch.minor()));
    }

    @Test
    void missingDevicesAreSaidSo() throws Exception {
        assertFalse(dm.info(P + "missing").exists());
        DmException e = assertThrows(DmException.class, () -> dm.table(P + "missing"));
        assertEquals("no device-mapper device named " + P + "missing (see dmsetup ls)", e.getMessage());
    }

    @Test
    void snapshotTableStatusAndDeps() throws Exception {
        DevNo real = devNo(Path.of(mapper("real")));
        DevNo cow = devNo(Path.of(mapper("cow")));
        List<Target> table = dm.table(P + "snap");
        assertEquals(1, table.size());
        assertEquals(0, table.get(0).start());
        assertEquals(8192, table.get(0).length());
        SnapshotTable snap = SnapshotTable.from(table.get(0));
        assertEquals(real, snap.origin());
        assertEquals(cow, snap.cow());
        assertEquals(8, snap.chunkSectors());
        assertTrue(snap.persistent());
        assertEquals(real, SnapshotOriginTable.from(dm.table(P + "origin").get(0)).real());
        assertEquals(List.of(cow, real).stream().sorted(DmClientKernelTest::compare).toList(),
                dm.deps(P + "snap").stream().sorted(DmClientKernelTest::compare).toList());

        SnapshotStatus before = SnapshotStatus.from(dm.status(P + "snap").get(0));
        assertTrue(before.isValid());
        assertEquals(8192, before.totalSectors());
        writeOrigin("origin", 0, 3 * 4096);
        SnapshotStatus after = SnapshotStatus.from(dm.status(P + "snap").get(0));
        assertEquals(before.allocatedSectors() + 3 * 8, after.allocatedSectors(), before + " -> " + after);
    }

    @Test
    void anOverflowedSnapshotReportsInvalid() throws Exception {
        writeOrigin("origin2", 0, 1 << 20);
        SnapshotStatus status = SnapshotStatus.from(dm.status(P + "snap2").get(0));
        assertFalse(status.isValid(), status.toString());
        assertEquals(SnapshotStatus.State.INVALID, status.state());
    }

    @Test
    void thinPoolTablesStatusAndMetadataSnapshotMessages() throws Exception {
        ThinPoolTable pool = ThinPoolTable.from(dm.table(P + "pool").get(0));
        assertEquals(devNo(Path.of(mapper("tmeta"))), pool.metadata());
        assertEquals(devNo(Path.of(mapper("tdata"))), pool.data());
        assertEquals(128, pool.blockSectors());
        assertEquals(List.of("skip_block_zeroing"), pool.features());
        ThinTable thin = ThinTable.from(dm.table(P + "thin").get(0));
        assertEquals(devNo(Path.of(mapper("pool"))), thin.pool());
        assertEquals(1, thin.deviceId());

        ThinPoolStatus free = ThinPoolStatus.from(dm.status(P + "pool").get(0));
        assertFalse(free.failed());
        assertEquals(OptionalLong.empty(), free.heldMetadataRoot());
        assertEquals(1024, free.totalDataBlocks());
        assertEquals("rw", free.mode());

        assertEquals("", dm.message(P + "pool", 0, "reserve_metadata_snap"));
        try {
            ThinPoolStatus held = ThinPoolStatus.from(dm.status(P + "pool").get(0));
            assertTrue(held.heldMetadataRoot().isPresent(), held.toString());
            ErrnoException twice = assertThrows(ErrnoException.class,
                    () -> dm.message(P + "pool", 0, "reserve_metadata_snap"));
            assertEquals("device-mapper message 'reserve_metadata_snap' to", twice.operation());
            assertEquals(P + "pool", twice.path());
        } finally {
            dm.message(P + "pool", 0, "release_metadata_snap");
        }
        assertEquals(OptionalLong.empty(), ThinPoolStatus.from(dm.status(P + "pool").get(0)).heldMetadataRoot());
    }

    private static int compare(DevNo a, DevNo b) {
        return a.major() != b.major() ? Integer.compare(a.major(), b.major()) : Integer.compare(a.minor(), b.minor());
    }

    private static void writeOrigin(String name, long offset, int length) throws IOException {
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(Path.of(mapper(name)), Fd.O_RDWR | Fd.O_DIRECT)) {
            MemorySegment data = AlignedBuffer.allocate(arena, length);
            data.fill((byte) 0xa5);
            fd.pwriteFully(data, offset);
            fd.fsync();
        }
    }

    private static DevNo devNo(Path node) throws IOException {
        try (Fd fd = Fd.open(node, Fd.O_RDONLY)) {
            var st = fd.stat();
            return new DevNo(st.rdevMajor(), st.rdevMinor());
        }
    }

    private static final int MANY = 400;

    /** 400 linear targets of 8 sectors each, side by side on the disk from sector 160000. */
    private static String manyLinearTargets() {
        StringBuilder table = new StringBuilder();
        for (int i = 0; i < MANY; i++) {
            table.append(8L * i).append(" 8 linear ").append(disk).append(' ').append(160000 + 8L * i).append('\n');
        }
        return table.toString();
    }

    private static String mapper(String shortName) {
        return "/dev/mapper/" + P + shortName;
    }

    /** dmsetup create; a table of several lines goes through a file (--table takes one). */
    private static void create(String shortName, String table) throws Exception {
        if (table.contains("\n")) {
            Path file = Files.createTempFile("lvmsync-dmtest", ".table");
            Files.writeString(file, table);
            sh("dmsetup", "create", P + shortName, file.toString());
            Files.delete(file);
        } else {
            sh("dmsetup", "create", P + shortName, "--table", table);
        }
        created.add(P + shortName);
    }

    private static void zero(long sector) throws Exception {
        sh("dd", "if=/dev/zero", "of=" + disk, "bs=512", "seek=" + sector, "count=8", "conv=notrunc,fsync", "status=none");
    }

    private static void sh(String... command) throws Exception {
        String failure = run(command);
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    /** Runs a fixture command; returns null on success, else what it said. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return String.join(" ", command) + " failed: " + out;
        }
        return null;
    }
}
