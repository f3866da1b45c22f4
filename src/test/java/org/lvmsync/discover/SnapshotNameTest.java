package org.lvmsync.discover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DevNo;
import org.lvmsync.lvm.LvName;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FileStat;
import org.lvmsync.testing.LoopDevice;

class SnapshotNameTest {
    @Test
    void lvmSpellingsAreReadAsText() throws Exception {
        assertEquals(Optional.of(new LvName("my-vg", "lv.snap")), SnapshotName.parse("/dev/mapper/my--vg-lv.snap"));
        assertEquals(Optional.of(new LvName("vg", "snap")), SnapshotName.parse("/dev/vg/snap"));
        assertEquals(Optional.of(new LvName("vg", "snap")), SnapshotName.parse("vg/snap"));
    }

    @Test
    void garbageThatIsNoDeviceKeepsTheNameError() {
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> SnapshotName.parse("/dev/no-such-node-here"));
        assertEquals(FailureClass.USAGE, e.failureClass());
        assertTrue(e.getMessage().startsWith("invalid logical volume name"), e.getMessage());
    }

    @Test
    void anyOtherNodeIsFollowedByItsDeviceNumber() throws Exception {
        try (LoopDevice loop = LoopDevice.attach("name", 1 << 20)) {
            String node = loop.device().toString();   // /dev/loopN: not an LVM spelling
            assertEquals(Optional.empty(), SnapshotName.parse(node));
            DevNo number = numberOf(loop);
            SnapshotDiscoveryTest.FakeDm dm = new SnapshotDiscoveryTest.FakeDm();

            LvmsyncException notDm = assertThrows(LvmsyncException.class, () -> SnapshotName.byDevice(node, dm));
            assertTrue(notDm.getMessage().contains("which is not a device-mapper device"), notDm.getMessage());

            dm.device("my--vg-data.v1--snap", number, "snapshot", "253:0 253:2 P 8", "");
            assertEquals(new LvName("my-vg", "data.v1-snap"), SnapshotName.byDevice(node, dm));

            SnapshotDiscoveryTest.FakeDm layered = new SnapshotDiscoveryTest.FakeDm()
                    .device("vg-snap-cow", number, "linear", "8:0 0", "");
            LvmsyncException cow = assertThrows(LvmsyncException.class, () -> SnapshotName.byDevice(node, layered));
            assertTrue(cow.getMessage().contains("LVM's internal 'cow' device of vg/snap"), cow.getMessage());
        }
    }

    private static DevNo numberOf(LoopDevice loop) throws Exception {
        try (Fd fd = Fd.open(loop.device(), Fd.O_RDONLY)) {
            FileStat st = fd.stat();
            return new DevNo(st.rdevMajor(), st.rdevMinor());
        }
    }
}
