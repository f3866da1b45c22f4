package org.lvmsync.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Thin volumes as this version meets them: a classic (thick) snapshot of a thin LV is a
 * dm-snapshot like any other and syncs; a thin snapshot is refused with a pointer to
 * the classic kind, never read wrongly.
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
        Devices.copy(snap, copy);
        lvm.writePattern("thin.data-1", 0, 4096, 22);
        lvm.writePattern("thin.data-1", 7 * 1024 * 1024 + 8192, 8192, 22);
        lvm.writePattern("thin.data-1", 16 * 1024 * 1024 - 4096, 4096, 22);

        Lvmsync.Run run = Lvmsync.inProcess(snap.toString(), copy.toString());

        run.assertStatus(0);
        Devices.assertSameBytes(origin, copy);
        assertEquals(4096 + 8192 + 4096, run.transferredBytes());
    }

    @Test
    void thinSnapshotIsRefusedForNow() {
        lvm.thin("pool", "thin.data-2", 16);
        Path snap = lvm.thinSnapshot("thin.data-2", "thin.data-2-snap");
        Path dest = lvm.linear("copy.thin-2", 16);

        Lvmsync.Run run = Lvmsync.inProcess(snap.toString(), dest.toString());

        run.assertStatus(1);
        assertTrue(run.stderr().startsWith("lvmsync: " + VG + "/thin.data-2-snap is a thin volume: thin snapshots"
                + " are not supported"), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
    }
}
