package org.lvmsync.discover;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.lvmsync.dm.DmClient;

import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DevNo;
import org.lvmsync.dm.DmDevice;
import org.lvmsync.dm.SnapshotOriginTable;
import org.lvmsync.dm.SnapshotStatus;
import org.lvmsync.dm.SnapshotTable;
import org.lvmsync.dm.Target;
import org.lvmsync.lvm.LvName;
import org.lvmsync.lvm.LvmView;
import org.lvmsync.lvm.LvsCommand;

/**
 * Decides from the live device-mapper tables what a named LV is, and refuses what lvmsync
 * cannot send correctly. LVM builds a classic snapshot as {@code VG-SNAP} with table
 * {@code snapshot <origin-real> <cow> P <chunk>} and the origin LV as {@code VG-ORIG}
 * with {@code snapshot-origin <origin-real>}; everything is taken from those tables,
 * nothing from guessed names.
 */
public final class SnapshotDiscovery {
    private final DmView dm;
    private final ThinDiscovery thin;

    /** From device-mapper tables alone: thin snapshots, which need LVM's report, are not found. */
    public SnapshotDiscovery(DmView dm) {
        this(dm, LvmView.none());
    }

    public SnapshotDiscovery(DmView dm, LvmView lvm) {
        this.dm = dm;
        this.thin = new ThinDiscovery(dm, lvm);
    }

    /** What {@code name} is, refused unless it is a snapshot lvmsync can read. */
    public Snapshot discover(LvName name) throws IOException {
        Optional<ThinSnapshot> thinSnapshot = thin.find(name);
        if (thinSnapshot.isPresent()) {
            return thinSnapshot.get();
        }
        return classic(name);
    }

    private ClassicSnapshot classic(LvName name) throws IOException {
        String dmName = name.dmName();
        if (!dm.exists(dmName)) {
            throw refuse(FailureClass.NOT_A_SNAPSHOT, name + " is not an active logical volume (no device-mapper device " + dmName
                    + "); check the name with 'lvs' and activate it with 'lvchange -ay " + name + "'");
        }
        Target target = singleTarget(name, dm.table(dmName));
        SnapshotTable table = SnapshotTable.from(target);
        if (!table.persistent()) {
            throw refuse(FailureClass.SNAPSHOT_UNUSABLE, name + " is a non-persistent snapshot: it keeps no change list on disk that lvmsync"
                    + " can read; take a persistent one (lvcreate --snapshot) and copy the whole device first");
        }
        checkStatus(name, dm.status(dmName));
        DevNo origin = originOf(table.origin()).orElseGet(() -> {
            Log.verbose("no snapshot-origin device over " + table.origin() + "; reading the origin's real device");
            return table.origin();
        });
        return new ClassicSnapshot(name, dmName, table.origin(), origin, table.cow(), table.chunkBytes(),
                target.length() * 512, origin.equals(table.origin()) ? 0 : dm.openCount(origin));
    }

    private static Target singleTarget(LvName name, List<Target> table) {
        if (table.isEmpty()) {
            throw refuse(FailureClass.SNAPSHOT_UNUSABLE, name + " has no device-mapper table loaded (is it being created or removed?); try again");
        }
        Target first = table.get(0);
        if (table.size() > 1 || !first.type().equals("snapshot")) {
            String type = table.size() > 1 ? table.size() + " '" + first.type() + "' targets" : "'" + first.type() + "'";
            throw refuse(first.type().equals("snapshot-merge") ? FailureClass.SNAPSHOT_UNUSABLE : FailureClass.NOT_A_SNAPSHOT,
                    name + " " + whyNotSnapshot(first.type(), type));
        }
        return first;
    }

    private static String whyNotSnapshot(String type, String shown) {
        return switch (type) {
            case "snapshot-merge" -> "is being merged back into its origin (lvconvert --merge): its change list"
                    + " is being consumed; let the merge finish, take a new snapshot and copy the whole device";
            case "snapshot-origin" -> "is the origin of a snapshot, not the snapshot: name the snapshot"
                    + " (lvs -o lv_name,origin shows which LVs are snapshots of it)";
            case "thin" -> "is a thin volume that LVM's report does not list; lvmsync reads thin snapshots"
                    + " made by LVM (check the name with lvs)";
            default -> "is not a snapshot (its device-mapper target is " + shown + "); lvmsync needs the snapshot"
                    + " taken before the full copy, e.g. lvcreate --snapshot -L10G -n NAME-lvmsync VG/NAME";
        };
    }

    private static void checkStatus(LvName name, List<Target> status) throws IOException {
        if (status.size() != 1) {
            throw refuse(FailureClass.SNAPSHOT_UNUSABLE, name + " reports " + status.size() + " status lines, a snapshot has one; is it changing?");
        }
        SnapshotStatus s = SnapshotStatus.from(status.get(0));
        String lost = switch (s.state()) {
            case ACTIVE -> null;
            case OVERFLOW -> "overflowed (its COW space filled up)";
            case INVALID -> "is invalid (it overflowed or an I/O error hit its COW device)";
            case MERGE_FAILED -> "failed to merge";
        };
        if (lost != null) {
            throw refuse(FailureClass.SNAPSHOT_UNUSABLE, "snapshot " + name + " " + lost + ": it no longer records every changed chunk, so"
                    + " syncing from it would silently miss changes; take a new snapshot and copy the whole device");
        }
    }

    /** The snapshot-origin device stacked over the origin's real device, if there is one. */
    private Optional<DevNo> originOf(DevNo real) throws IOException {
        List<DmDevice> devices = dm.list();
        for (DmDevice device : devices) {
            Optional<List<Target>> table = tableIfStillThere(device);
            if (table.isPresent() && table.get().size() == 1 && table.get().get(0).type().equals("snapshot-origin")
                    && SnapshotOriginTable.from(table.get().get(0)).real().equals(real)) {
                return Optional.of(device.dev());
            }
        }
        return Optional.empty();
    }

    /**
     * A device's table, or empty if the device went away since the list was taken: on a
     * busy host another job's lvremove, a kpartx, cryptsetup or container device may remove
     * one between the two questions, and a device that is gone is simply not the origin.
     * A failure for a device that still exists is a real one.
     */
    private Optional<List<Target>> tableIfStillThere(DmDevice device) throws IOException {
        try {
            return Optional.of(dm.table(device.name()));
        } catch (IOException | LvmsyncException e) {
            if (dm.exists(device.name())) {
                throw e;
            }
            Log.debug("device-mapper device " + device.name() + " went away during the scan: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static LvmsyncException refuse(FailureClass why, String message) {
        return new LvmsyncException(why, message);
    }

    /**
     * The snapshot named by {@code argument} as the user typed it ({@code VG/LV},
     * {@code /dev/VG/LV}, {@code /dev/mapper/VG-LV} or any path to its device node), from
     * the live device-mapper tables.
     */
    public static Snapshot find(String argument) throws IOException {
        Optional<LvName> named = SnapshotName.parse(argument);
        try (DmClient client = DmClient.open()) {
            DmView view = DmView.of(client);
            LvName snapshot = named.isPresent() ? named.get() : SnapshotName.byDevice(argument, view);
            return new SnapshotDiscovery(view, new LvsCommand()).discover(snapshot);
        }
    }
}
