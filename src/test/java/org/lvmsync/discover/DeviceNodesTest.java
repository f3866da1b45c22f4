package org.lvmsync.discover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DevNo;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FileStat;
import org.lvmsync.testing.LoopDevice;

class DeviceNodesTest {
    @TempDir
    Path tmp;

    @Test
    void findsTheDevtmpfsNodeThroughSysfsWithoutUdev() throws Exception {
        try (LoopDevice loop = LoopDevice.attach("nodes", 1 << 20)) {
            DevNo number = numberOf(loop.device());
            // a sysfs with only the uevent, a /dev without /dev/block: the udev-less case
            Path sys = Files.createDirectories(tmp.resolve("sys/dev/block/" + number));
            Files.writeString(sys.resolve("uevent"), "MAJOR=" + number.major() + "\nMINOR=" + number.minor()
                    + "\nDEVNAME=" + loop.device().getFileName() + "\nDEVTYPE=disk\n");
            DeviceNodes nodes = new DeviceNodes(loop.device().getParent(), tmp.resolve("sys"));
            assertEquals(loop.device(), nodes.path(number));
        }
    }

    @Test
    void refusesANodeThatIsAnotherDevice() throws Exception {
        try (LoopDevice loop = LoopDevice.attach("nodes", 1 << 20)) {
            DevNo number = numberOf(loop.device());
            DevNo other = new DevNo(number.major(), number.minor() + 1000);
            // sysfs claims the other number's node is our loop device: fstat must catch it
            Path sys = Files.createDirectories(tmp.resolve("sys/dev/block/" + other));
            Files.writeString(sys.resolve("uevent"), "DEVNAME=" + loop.device().getFileName() + "\n");
            DeviceNodes nodes = new DeviceNodes(loop.device().getParent(), tmp.resolve("sys"));
            LvmsyncException e = assertThrows(LvmsyncException.class, () -> nodes.path(other));
            assertTrue(e.getMessage().startsWith("no device node for block device " + other), e.getMessage());
        }
    }

    private static DevNo numberOf(Path device) throws Exception {
        try (Fd fd = Fd.open(device, Fd.O_RDONLY)) {
            FileStat st = fd.stat();
            return new DevNo(st.rdevMajor(), st.rdevMinor());
        }
    }
}
