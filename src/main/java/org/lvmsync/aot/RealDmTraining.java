package org.lvmsync.aot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.lvmsync.LvmsyncException;
import org.lvmsync.discover.DeviceNodes;
import org.lvmsync.discover.DmView;
import org.lvmsync.dm.DmClient;
import org.lvmsync.dm.DmDevice;
import org.lvmsync.dm.Target;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.IoEngines;
import org.lvmsync.os.SysBlock;

/**
 * The kernel's side of a sync's discovery, for {@link AotTraining} where device-mapper is
 * within reach (root on a real host, or in the guest; the build host and CI have none,
 * and the training then leaves it out): the questions a sync asks, read-only, about the
 * devices that exist. The interface version, the device list, each device's table,
 * status and info by number (the ioctl buffers and their replies as the kernel writes
 * them), one device's node found as a sync finds its origin's and COW's, opened for
 * reading by the engines a sync reads them with (nothing is read), and its sysfs entry
 * read. Nothing is loaded, changed or messaged.
 */
final class RealDmTraining {
    /** Enough to meet every kind of reply; a host with hundreds of devices is not walked whole. */
    private static final int MAX_DEVICES = 16;

    private RealDmTraining() {
    }

    /** Whether this process may ask device-mapper (as a sync's DmClient.open requires). */
    static boolean available() {
        return Files.isReadable(DmClient.CONTROL) && Files.isWritable(DmClient.CONTROL);
    }

    static void run() throws IOException {
        try (DmClient client = DmClient.open()) {
            if (client.version().major() != 4) {
                throw new IllegalStateException("device-mapper's interface is not version 4");
            }
            DmView dm = DmView.of(client);
            List<DmDevice> devices = dm.list();
            boolean opened = false;
            for (DmDevice device : devices.subList(0, Math.min(devices.size(), MAX_DEVICES))) {
                Optional<List<Target>> table = ask(dm, device);
                if (table.isPresent() && !opened) {
                    opened = open(device, table.get());
                }
            }
        }
    }

    /** Table, status, name and holders of a listed device; empty if it went away meanwhile (as discovery allows). */
    private static Optional<List<Target>> ask(DmView dm, DmDevice device) throws IOException {
        try {
            List<Target> table = dm.table(device.name());
            dm.status(device.name());
            dm.openCount(device.dev());
            if (!dm.nameOf(device.dev()).equals(Optional.of(device.name()))) {
                throw new IllegalStateException("device-mapper names " + device.dev() + " otherwise than its list");
            }
            return Optional.of(table);
        } catch (IOException | LvmsyncException e) {
            if (dm.exists(device.name())) {
                throw e;
            }
            return Optional.empty();
        }
    }

    /**
     * The device's node and both engines over it, whose size must be its table's; false
     * when it has no node (a container's /dev) or went away.
     */
    private static boolean open(DmDevice device, List<Target> table) throws IOException {
        Path node;
        try {
            node = new DeviceNodes().path(device.dev());
        } catch (LvmsyncException noNode) {
            return false;
        }
        long size = table.stream().mapToLong(Target::length).sum() * 512;
        try (IoEngine data = IoEngines.open(node); IoEngine metadata = IoEngines.openForMetadata(node)) {
            if (data.size() != metadata.size()) {
                throw new IllegalStateException(node + " has two sizes");
            }
            if (data.size() != size) {
                return false;   // reloaded since its table was read
            }
        } catch (IOException e) {
            return false;       // removed or suspended since it was listed: another device may do
        }
        SysBlock sys = SysBlock.of(device.dev().major(), device.dev().minor());
        sys.dmUuid();
        sys.queue("write_zeroes_max_bytes");
        return true;
    }
}
