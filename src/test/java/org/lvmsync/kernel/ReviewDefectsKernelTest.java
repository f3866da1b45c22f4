package org.lvmsync.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lvmsync.discover.ClassicSnapshot;
import org.lvmsync.discover.DmView;
import org.lvmsync.discover.SnapshotDiscovery;
import org.lvmsync.dm.DevNo;
import org.lvmsync.dm.DmClient;
import org.lvmsync.dm.DmDevice;
import org.lvmsync.dm.Target;
import org.lvmsync.lvm.LvName;

/** Defects 4 and 8 of issue 10 on real LVM and device-mapper. */
@Tag("kernel")
class ReviewDefectsKernelTest {
    private static final String VG = "review.vg-10";
    private static final long MIB = 1 << 20;
    private static LvmFixture lvm;

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

    /**
     * Defect 4: a --data-source smaller than the origin used to cut a changed run that
     * crossed its end and exit 0, leaving the destination different from the origin. Now
     * it is refused before anything is sent.
     */
    @Test
    void aDataSourceSmallerThanTheOriginIsRefused() {
        lvm.linear("big", 16);
        lvm.fill("big", 1);
        lvm.linear("copy", 16);
        lvm.snapshot("big", "big-snap", 8, 4);
        Devices.copy(lvm.path("big-snap"), lvm.path("copy"));
        lvm.linear("small", 12);
        lvm.fill("small", 1);
        // one change, across the small device's end: it starts inside it
        lvm.writePattern("big", 12 * MIB - 32 * 1024, 64 * 1024, 2);
        byte[] before = lvm.read("copy", 0, (int) (16 * MIB));

        Lvmsync.Run run = Lvmsync.inProcess("--data-source", lvm.path("small").toString(),
                VG + "/big-snap", lvm.path("copy").toString());

        run.assertRefused(2, "is smaller than the origin");
        assertArrayEquals(before, lvm.read("copy", 0, (int) (16 * MIB)), "nothing was sent");
    }

    /**
     * Defect 8: discovery lists every device, then asks each one's table; a device that
     * another job removes in between (lvremove, kpartx, cryptsetup) stopped the run with
     * "no device-mapper device named X". Here it is removed for real, after the list and
     * before its table is asked for (it is put first in the list, so it is asked for first).
     */
    @Test
    void aDeviceRemovedDuringTheScanIsNotTheOrigin() throws IOException {
        lvm.linear("data", 8);
        lvm.snapshot("data", "data-snap", 4, 4);
        String victim = "lvmsync-vanishing-" + ProcessHandle.current().pid();
        Commands.run("dmsetup", "create", victim, "--table", "0 8 zero");
        try (DmClient client = DmClient.open()) {
            DmView real = DmView.of(client);
            DmView racing = new Racing(real, victim);
            ClassicSnapshot snap = (ClassicSnapshot) new SnapshotDiscovery(racing)
                    .discover(LvName.parse(VG + "/data-snap"));
            assertEquals(real.nameOf(snap.origin()), Optional.of(lvm.mapperPath("data").getFileName().toString()));
            assertTrue(!real.exists(victim), "the device really went away during the scan");
        } finally {
            Commands.tryRun("dmsetup", "remove", victim);
        }
    }

    /** The kernel's answers, except that the victim is listed first and removed right after the list. */
    private record Racing(DmView real, String victim) implements DmView {
        @Override
        public List<DmDevice> list() throws IOException {
            List<DmDevice> devices = new ArrayList<>(real.list());
            DmDevice gone = devices.stream().filter(d -> d.name().equals(victim)).findFirst().orElseThrow();
            devices.remove(gone);
            devices.add(0, gone);
            Commands.run("dmsetup", "remove", victim);
            return devices;
        }

        @Override
        public boolean exists(String name) throws IOException {
            return real.exists(name);
        }

        @Override
        public List<Target> table(String name) throws IOException {
            return real.table(name);
        }

        @Override
        public List<Target> status(String name) throws IOException {
            return real.status(name);
        }

        @Override
        public Optional<String> nameOf(DevNo dev) throws IOException {
            return real.nameOf(dev);
        }

        @Override
        public int openCount(DevNo dev) throws IOException {
            return real.openCount(dev);
        }
    }
}
