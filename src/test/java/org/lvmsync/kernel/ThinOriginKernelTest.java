package org.lvmsync.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Thin volumes beside thin snapshots: a classic (thick) snapshot of a thin LV is a
 * dm-snapshot like any other and syncs; a thin LV that is no snapshot, an inactive thin
 * snapshot asked for its data, an external-origin snapshot and mismatched --since pairs
 * are refused with one line, never read wrongly.
 */
@Tag("kernel")
class ThinOriginKernelTest {
    private static final String VG = "e2e.thin-vg";
    private static LvmFixture lvm;

    @BeforeAll
    static void createGroup() {
        lvm = LvmFixture.create(VG);
        lvm.thinPool("pool", 96, 64);
    }

    @AfterAll
    static void removeGroup() {
        if (lvm != null) {
            lvm.close();
        }
    }

    @Test
    void classicSnapshotOfAThinVolumeSyncs() {
        Path origin = lvm.thin("pool", "thin.data-1", 16);
        lvm.fill("thin.data-1", 21);
        Path copy = lvm.linear("copy.thin-1", 16);
        Path snap = lvm.snapshot("thin.data-1", "thin.data-1-snap", 8, 4);
        Lvmsync.Run full = Lvmsync.inProcess("--full", snap.toString(), copy.toString());   // the origin, whole
        full.assertStatus(0);
        assertEquals(16 * 1024 * 1024, full.transferredBytes());
        Devices.assertSameBytes(snap, copy);
        lvm.writePattern("thin.data-1", 0, 4096, 22);
        lvm.writePattern("thin.data-1", 7 * 1024 * 1024 + 8192, 8192, 22);
        lvm.writePattern("thin.data-1", 16 * 1024 * 1024 - 4096, 4096, 22);

        Lvmsync.Run run = Lvmsync.inProcess(snap.toString(), copy.toString());

        run.assertStatus(0);
        Devices.assertSameBytes(origin, copy);
        assertEquals(4096 + 8192 + 4096, run.transferredBytes());
    }

    /** Thin LVs that are no snapshot lvmsync can read, and option mistakes: one line each, nothing written. */
    @Test
    void thinRefusalsAreOneLine() {
        lvm.thin("pool", "thin.data-2", 8);
        lvm.writePattern("thin.data-2", 0, 65536, 23);
        Path dest = lvm.linear("copy.thin-2", 8);
        lvm.fill("copy.thin-2", 24);
        String copy = dest.toString();

        Lvmsync.inProcess(VG + "/thin.data-2", copy).assertRefused(1, "is a thin volume, not a snapshot");

        lvm.lvm("lvcreate", "--quiet", "--yes", "--snapshot", "-n", "thin.data-2-off", VG + "/thin.data-2");
        Lvmsync.inProcess("--full", VG + "/thin.data-2-off", copy).assertRefused(1, "is not active");
        Path earlier = lvm.thinSnapshot("thin.data-2", "thin.data-2-earlier");
        Path later = lvm.thinSnapshot("thin.data-2", "thin.data-2-later");
        Lvmsync.inProcess("--since", later.toString(), earlier.toString(), copy).assertRefused(2, "was taken after");

        lvm.thin("pool", "thin.other-3", 8);
        lvm.thinSnapshot("thin.other-3", "thin.other-3-snap");
        Lvmsync.inProcess("--since", VG + "/thin.other-3-snap", later.toString(), copy)
                .assertRefused(2, "an increment is between two snapshots of one origin");

        lvm.linear("ext.orig-4", 8);
        // LVM takes only a read-only, inactive LV as an external origin
        lvm.lvm("lvchange", "--quiet", "--permission", "r", VG + "/ext.orig-4");
        lvm.lvm("lvchange", "--quiet", "-an", VG + "/ext.orig-4");
        lvm.lvm("lvcreate", "--quiet", "--yes", "--snapshot", "--thinpool", "pool", "--setactivationskip", "n",
                "-n", "ext.snap-4", VG + "/ext.orig-4");
        Lvmsync.inProcess(VG + "/ext.snap-4", copy).assertRefused(1, "external origin");

        for (long at = 0; at < 8 << 20; at += 1 << 20) {
            assertArrayEquals(TestPattern.bytes(24, at, 1 << 20), lvm.read("copy.thin-2", at, 1 << 20),
                    "nothing was written, at " + at);
        }
    }
}
