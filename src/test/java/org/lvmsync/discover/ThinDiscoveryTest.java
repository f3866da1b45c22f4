package org.lvmsync.discover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DevNo;
import org.lvmsync.dm.Target;
import org.lvmsync.lvm.LvInfo;
import org.lvmsync.lvm.LvName;

/** Thin snapshots from device-mapper tables and LVM's report, both written here as LVM makes them. */
class ThinDiscoveryTest {
    private static final String POOL_STATUS = "3 112/1024 3/1024 - rw discard_passdown queue_if_no_space - 256";

    private final SnapshotDiscoveryTest.FakeDm dm = new SnapshotDiscoveryTest.FakeDm()
            .device("my--vg-po.ol_tmeta", new DevNo(253, 0), "linear", "254:0 141312", "")
            .device("my--vg-po.ol_tdata", new DevNo(253, 1), "linear", "254:0 10240", "")
            .device("my--vg-po.ol-tpool", new DevNo(253, 2), "thin-pool", "253:0 253:1 128 0 0", POOL_STATUS)
            .device("my--vg-po.ol", new DevNo(253, 3), "linear", "253:2 0", "")
            .device("my--vg-th--1", new DevNo(253, 4), "thin", "253:2 1", "384 383")
            .device("my--vg-th--1.snap2", new DevNo(253, 5), "thin", "253:2 3", "384 383")
            .device("my--vg-plain", new DevNo(253, 6), "thin", "253:2 4", "0 -")
            .device("my--vg-ro.lin", new DevNo(253, 7), "linear", "254:0 300000", "");
    private final List<LvInfo> lvs = new ArrayList<>(List.of(
            lv("th-1", "", "po.ol", 1, "thin", "Vwi-a-tz--"),
            lv("th-1.snap", "th-1", "po.ol", 2, "thin", "Vwi---tz-k"),
            lv("th-1.snap2", "th-1", "po.ol", 3, "thin", "Vwi-a-tz--"),
            lv("plain", "", "po.ol", 4, "thin", "Vwi-a-tz--"),
            lv("ro.lin", "", "", -1, "linear", "-ri-a-----"),
            lv("ext", "ro.lin", "po.ol", 5, "thin", "Vwi---tz-k"),
            lv("po.ol", "", "", -1, "thin-pool", "twi-aotz--")));
    private final SnapshotDiscovery discovery = new SnapshotDiscovery(dm, vg -> vg.equals("my-vg") ? lvs : List.of());

    private static LvInfo lv(String name, String origin, String pool, long id, String segtype, String attr) {
        return new LvInfo(name, "my-vg", origin, pool, id < 0 ? OptionalLong.empty() : OptionalLong.of(id), segtype, attr,
                "uuid-" + name, 2097152L * 512);
    }

    private Snapshot discover(String name) throws Exception {
        return discovery.discover(LvName.parse(name));
    }

    @Test
    void anActiveThinSnapshot() throws Exception {
        dm.openCounts.put(new DevNo(253, 4), 1);
        ThinSnapshot s = (ThinSnapshot) discover("/dev/mapper/my--vg-th--1.snap2");
        assertEquals(Optional.of(new DevNo(253, 5)), s.device());
        assertEquals(3, s.thinId());
        assertEquals(new LvName("my-vg", "th-1"), s.originName());
        assertEquals(new DevNo(253, 4), s.origin());
        assertEquals(1, s.originThinId());
        assertEquals(2097152L * 512, s.sizeBytes());
        assertEquals(2097152L * 512, s.originSizeBytes());
        assertEquals(1, s.originOpenCount());
        assertEquals(new ThinPool(new LvName("my-vg", "po.ol"), "my--vg-po.ol-tpool", new DevNo(253, 2),
                new DevNo(253, 0), 65536), s.pool());
    }

    @Test
    void anInactiveThinSnapshotHasNoDeviceButIsFound() throws Exception {
        ThinSnapshot s = (ThinSnapshot) discover("my-vg/th-1.snap");
        assertEquals(Optional.empty(), s.device());
        assertEquals(2, s.thinId());
        assertEquals(new DevNo(253, 4), s.origin());
    }

    @Test
    void theOriginsCurrentSizeIsTaken() throws Exception {
        dm.tables.put("my--vg-th--1", new Target(0, 3000000, "thin", "253:2 1"));
        ThinSnapshot s = (ThinSnapshot) discover("my-vg/th-1.snap2");
        assertEquals(3000000L * 512, s.originSizeBytes());
        assertEquals(2097152L * 512, s.sizeBytes());
    }

    @Test
    void aThinVolumeThatIsNoSnapshot() {
        assertRefused("my-vg/plain", FailureClass.NOT_A_SNAPSHOT, "is a thin volume, not a snapshot",
                "lvcreate --snapshot -n plain-lvmsync my-vg/plain", "--full");
        assertRefused("my-vg/th-1", FailureClass.NOT_A_SNAPSHOT, "is the origin of thin snapshots (th-1.snap,"
                + " th-1.snap2), not a snapshot: name the snapshot");
    }

    @Test
    void anExternalOriginSnapshot() {
        assertRefused("my-vg/ext", FailureClass.NOT_A_SNAPSHOT, "thin snapshot of the external origin my-vg/ro.lin");
        dm.device("my--vg-ext", new DevNo(253, 8), "thin", "253:2 5 253:7", "0 -");
        assertRefused("my-vg/ext", FailureClass.NOT_A_SNAPSHOT, "external origin");
    }

    @Test
    void poolsThatCannotGiveATrueDiff() {
        String[][] cases = {
            {"Fail", "has failed"},
            {"3 112/1024 3/1024 - ro discard_passdown queue_if_no_space - 256", "is read-only"},
            {"3 112/1024 1024/1024 - out_of_data_space discard_passdown queue_if_no_space - 256", "is out of data space"},
            {"3 112/1024 3/1024 - rw discard_passdown queue_if_no_space needs_check 256", "is marked needs_check"},
        };
        for (String[] c : cases) {
            dm.status.put("my--vg-po.ol-tpool", c[0]);
            assertRefused("my-vg/th-1.snap2", FailureClass.SNAPSHOT_UNUSABLE, "thin pool my-vg/po.ol " + c[1]);
        }
    }

    @Test
    void theOriginMustBeActive() {
        dm.tables.remove("my--vg-th--1");
        assertRefused("my-vg/th-1.snap", FailureClass.SNAPSHOT_UNUSABLE, "the origin my-vg/th-1 of my-vg/th-1.snap is not"
                + " active", "lvchange -ay my-vg/th-1");
    }

    @Test
    void tablesAndReportMustAgree() {
        dm.tables.put("my--vg-th--1.snap2", new Target(0, 2097152, "thin", "253:2 9"));
        assertRefused("my-vg/th-1.snap2", FailureClass.SNAPSHOT_UNUSABLE, "is thin device 9 in its device-mapper table"
                + " but 3 in LVM's report");
        lvs.removeIf(l -> l.lvName().equals("th-1.snap2"));
        assertRefused("my-vg/th-1.snap2", FailureClass.NOT_A_SNAPSHOT, "LVM's report does not list");
    }

    @Test
    void withoutLvmsReportAThinDeviceIsRefusedAndOthersAreClassic() throws Exception {
        SnapshotDiscovery tablesOnly = new SnapshotDiscovery(dm);
        LvmsyncException e = assertThrows(LvmsyncException.class,
                () -> tablesOnly.discover(LvName.parse("my-vg/th-1.snap2")));
        assertTrue(e.getMessage().contains("LVM's report does not list"), e.getMessage());
        LvmsyncException linear = assertThrows(LvmsyncException.class, () -> discover("my-vg/ro.lin"));
        assertTrue(linear.getMessage().contains("is not a snapshot (its device-mapper target is 'linear')"),
                linear.getMessage());
        LvmsyncException missing = assertThrows(LvmsyncException.class, () -> discover("my-vg/nothing"));
        assertTrue(missing.getMessage().contains("is not an active logical volume"), missing.getMessage());
    }

    @Test
    void aBlankThinVolumeReadsZeros() throws Exception {
        long size = 2097152L * 512;
        assertTrue(BlankThinVolume.readsZeros(dm, new DevNo(253, 6), size));
        assertTrue(!BlankThinVolume.readsZeros(dm, new DevNo(253, 4), size), "maps blocks");
        assertTrue(!BlankThinVolume.readsZeros(dm, new DevNo(253, 7), size), "linear");
        assertTrue(!BlankThinVolume.readsZeros(dm, new DevNo(8, 0), size), "no dm device");
        dm.tables.put("my--vg-po.ol-tpool", new Target(0, 2097152, "thin-pool", "253:0 253:1 128 0 1 skip_block_zeroing"));
        assertTrue(!BlankThinVolume.readsZeros(dm, new DevNo(253, 6), size), "the pool does not zero new blocks");
        dm.tables.put("my--vg-po.ol-tpool", new Target(0, 2097152, "thin-pool", "253:0 253:1 128 0 0"));
        dm.tables.put("my--vg-plain", new Target(0, 2097152, "thin", "253:2 4 253:7"));
        assertTrue(!BlankThinVolume.readsZeros(dm, new DevNo(253, 6), size), "external origin");
    }

    private void assertRefused(String name, FailureClass why, String... fragments) {
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> discover(name));
        assertEquals(why, e.failureClass(), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }
}
