package org.lvmsync.kernel;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lvmsync.dm.DevNo;
import org.lvmsync.dm.DmClient;
import org.lvmsync.dm.DmVersion;
import org.lvmsync.dm.SnapshotTable;
import org.lvmsync.dm.ThinTable;
import org.lvmsync.os.FileStat;
import org.lvmsync.os.Fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DmClient on devices that LVM built, with dashes and dots in the names: the layout the
 * tool relies on (SPEC 4 and 5) holds on a real kernel. Fails, does not skip, where
 * device-mapper is missing.
 */
@Tag("kernel")
class DeviceMapperKernelTest {
    private static LvmFixture lvm;
    private static DmClient dm;

    @BeforeAll
    static void build() {
        lvm = LvmFixture.create("lvmsync-k.dm");
        lvm.linear("web-1.disk", 8);
        lvm.snapshot("web-1.disk", "web-1.disk-snap", 4, 16);
        lvm.thinPool("pool-1.x", 16, 64);
        lvm.thin("pool-1.x", "db-2.thin", 8);
        dm = DmClient.open();
    }

    @AfterAll
    static void remove() {
        if (dm != null) {
            dm.close();
        }
        if (lvm != null) {
            lvm.close();
        }
    }

    @Test
    void interfaceVersionOfTheControlNodeIsFour() throws Exception {
        DmVersion v = dm.version();
        assertEquals(4, v.major(), "DM_VERSION on " + DmClient.CONTROL + ": " + v);
    }

    @Test
    void classicSnapshotTableNamesLvmsHiddenRealAndCowDevices() throws Exception {
        SnapshotTable table = SnapshotTable.from(dm.table(dmName("web-1.disk-snap")).get(0));
        assertEquals(devNo(mapper("web-1.disk", "real")), table.origin());
        assertEquals(devNo(mapper("web-1.disk-snap", "cow")), table.cow());
        assertEquals(16 * 1024 / 512, table.chunkSectors());
        assertTrue(table.persistent());
        assertEquals("snapshot-origin", dm.table(dmName("web-1.disk")).get(0).type());
    }

    @Test
    void thinTableNamesThePoolAndTheLvmThinId() throws Exception {
        ThinTable table = ThinTable.from(dm.table(dmName("db-2.thin")).get(0));
        assertEquals(devNo(mapper("pool-1.x", "tpool")), table.pool());
        assertEquals(Long.parseLong(lvm.report("db-2.thin", "thin_id")), table.deviceId());
    }

    /** VG-LV[-LAYER] with dashes inside names doubled, as LVM names dm devices. */
    private static String dmName(String lv) {
        return lvm.mapperPath(lv).getFileName().toString();
    }

    private static Path mapper(String lv, String layer) {
        return Path.of("/dev/mapper", dmName(lv) + "-" + layer);
    }

    private static DevNo devNo(Path node) throws Exception {
        try (Fd fd = Fd.open(node, Fd.O_RDONLY)) {
            FileStat st = fd.stat();
            return new DevNo(st.rdevMajor(), st.rdevMinor());
        }
    }
}
