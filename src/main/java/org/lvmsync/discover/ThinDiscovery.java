package org.lvmsync.discover;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DevNo;
import org.lvmsync.dm.DmDevice;
import org.lvmsync.dm.ThinPoolStatus;
import org.lvmsync.dm.ThinPoolTable;
import org.lvmsync.dm.ThinTable;
import org.lvmsync.dm.Target;
import org.lvmsync.lvm.LvInfo;
import org.lvmsync.lvm.LvName;
import org.lvmsync.lvm.LvmView;

/**
 * Decides whether a named LV is a thin snapshot lvmsync can read, and refuses the rest.
 * The relation snapshot -> origin and the thin ids come from LVM's report (LVM records
 * it; device-mapper does not know it); every device-mapper fact (the thin tables, the
 * pool's table and status, device numbers) comes from the live tables, and the two must
 * agree. A thin snapshot need not be active (LVM leaves them inactive by default): its
 * changes are read from the pool's metadata and its origin's data.
 */
final class ThinDiscovery {
    private final DmView dm;
    private final LvmView lvm;

    ThinDiscovery(DmView dm, LvmView lvm) {
        this.dm = dm;
        this.lvm = lvm;
    }

    /** The thin snapshot {@code name}, refused with one line if unusable; empty when it is no thin LV at all. */
    Optional<ThinSnapshot> find(LvName name) throws IOException {
        Optional<Target> own = Optional.empty();
        if (dm.exists(name.dmName())) {
            List<Target> table = dm.table(name.dmName());
            if (table.size() != 1 || !table.get(0).type().equals("thin")) {
                return Optional.empty(); // active, and not thin: the classic path decides
            }
            own = Optional.of(table.get(0));
        }
        Optional<LvInfo> lv = lvm.find(name);
        if (own.isEmpty() && (lv.isEmpty() || !lv.get().isThin())) {
            return Optional.empty(); // no device, and LVM knows no thin LV of that name
        }
        if (lv.isEmpty() || !lv.get().isThin()) {
            throw refuse(FailureClass.NOT_A_SNAPSHOT, name + " is a device-mapper thin device that LVM's report does not"
                    + " list as a thin LV (lvs " + name + "); lvmsync reads thin snapshots made by LVM");
        }
        return Optional.of(snapshot(name, lv.get(), own));
    }

    private ThinSnapshot snapshot(LvName name, LvInfo snap, Optional<Target> own) throws IOException {
        if (!snap.hasOrigin()) {
            List<String> snapshots = lvm.volumeGroup(name.vg()).stream().filter(lv -> lv.origin().equals(snap.lvName()))
                    .map(LvInfo::lvName).limit(5).toList();
            if (!snapshots.isEmpty()) {
                throw refuse(FailureClass.NOT_A_SNAPSHOT, name + " is the origin of thin snapshots (" + String.join(", ",
                        snapshots) + "), not a snapshot: name the snapshot to sync from");
            }
            throw refuse(FailureClass.NOT_A_SNAPSHOT, name + " is a thin volume, not a snapshot: take a thin snapshot"
                    + " (lvcreate --snapshot -n " + snap.lvName() + "-lvmsync " + name + ", no size), copy it once with"
                    + " lvmsync --full, then sync from it");
        }
        Optional<ThinTable> table = own.isEmpty() ? Optional.empty() : Optional.of(ThinTable.from(own.get()));
        LvName originName = new LvName(name.vg(), snap.origin());
        LvInfo origin = lvm.find(originName).orElseThrow(() -> refuse(FailureClass.NOT_A_SNAPSHOT, name
                + " names origin " + originName + ", which LVM's report does not list; is LVM's metadata changing?"));
        if (table.isPresent() && table.get().externalOrigin().isPresent() || !origin.isThin()
                || !origin.poolLv().equals(snap.poolLv())) {
            throw refuse(FailureClass.NOT_A_SNAPSHOT, name + " is a thin snapshot of the external origin " + originName
                    + " (not a thin volume of pool " + snap.poolLv() + "): its unchanged blocks are read from "
                    + originName + ", whose changes the pool does not record; lvmsync reads snapshots of thin volumes");
        }
        long thinId = thinId(snap);
        table.ifPresent(t -> agree(name, t.deviceId(), thinId));
        Target originTarget = originTarget(name, originName);
        ThinTable originTable = ThinTable.from(originTarget);
        agree(originName, originTable.deviceId(), thinId(origin));
        if (table.isPresent() && !table.get().pool().equals(originTable.pool())) {
            throw refuse(FailureClass.SNAPSHOT_UNUSABLE, name + " and its origin " + originName + " use different pool"
                    + " devices (" + table.get().pool() + ", " + originTable.pool() + "); is LVM changing them?");
        }
        ThinPool pool = pool(new LvName(name.vg(), snap.poolLv()), originTable.pool());
        DevNo originDev = devNo(originName);
        long size = own.isPresent() ? own.get().length() * 512 : snap.sizeBytes();
        return new ThinSnapshot(name, own.isPresent() ? Optional.of(devNo(name)) : Optional.empty(), thinId, size,
                originName, originDev, thinId(origin), originTarget.length() * 512, dm.openCount(originDev), pool);
    }

    private Target originTarget(LvName snapshot, LvName origin) throws IOException {
        if (!dm.exists(origin.dmName())) {
            throw refuse(FailureClass.SNAPSHOT_UNUSABLE, "the origin " + origin + " of " + snapshot + " is not active:"
                    + " activate it (lvchange -ay " + origin + ")");
        }
        List<Target> table = dm.table(origin.dmName());
        if (table.size() != 1 || !table.get(0).type().equals("thin")) {
            throw refuse(FailureClass.SNAPSHOT_UNUSABLE, "the origin " + origin + " of " + snapshot + " is no thin device"
                    + " now (its table has " + table.size() + " target(s), the first " + (table.isEmpty() ? "none"
                    : "'" + table.get(0).type() + "'") + "); is it being changed?");
        }
        return table.get(0);
    }

    /** The pool target; refuses a pool whose metadata cannot give a true diff now. */
    private ThinPool pool(LvName lv, DevNo dev) throws IOException {
        String dmName = dm.nameOf(dev).orElseThrow(() -> refuse(FailureClass.SNAPSHOT_UNUSABLE, "the thin pool device "
                + dev + " of " + lv + " is gone; is the pool being deactivated?"));
        List<Target> table = dm.table(dmName);
        List<Target> status = dm.status(dmName);
        if (table.size() != 1 || status.size() != 1) {
            throw refuse(FailureClass.SNAPSHOT_UNUSABLE, "thin pool " + lv + " (" + dmName + ") has " + table.size()
                    + " targets; a pool has one");
        }
        ThinPoolTable params = ThinPoolTable.from(table.get(0));
        checkPool(lv, ThinPoolStatus.from(status.get(0)));
        return new ThinPool(lv, dmName, dev, params.metadata(), params.blockBytes());
    }

    static void checkPool(LvName pool, ThinPoolStatus s) {
        String why;
        if (s.failed()) {
            why = "has failed (status " + s.mode() + "): its metadata cannot be trusted; see the kernel log and"
                    + " repair it (lvconvert --repair " + pool + ")";
        } else if (s.needsCheck()) {
            why = "is marked needs_check: its metadata must be checked before it is trusted (deactivate it and run"
                    + " lvconvert --repair " + pool + ")";
        } else if (s.readOnly()) {
            why = "is read-only (metadata error or no metadata space left): no metadata snapshot can be reserved;"
                    + " see the kernel log, extend its metadata (lvextend --poolmetadatasize) or repair it";
        } else if (s.mode().equals("out_of_data_space")) {
            why = "is out of data space: writes to its volumes are failing or queued, so the origin may not hold"
                    + " what was written; extend it (lvextend -L+SIZE " + pool + ") and sync again";
        } else {
            return;
        }
        throw refuse(FailureClass.SNAPSHOT_UNUSABLE, "thin pool " + pool + " " + why);
    }

    private static long thinId(LvInfo lv) {
        return lv.thinId().orElseThrow(() -> refuse(FailureClass.SNAPSHOT_UNUSABLE, "LVM's report gives no thin id for "
                + lv.name() + "; is LVM's metadata changing?"));
    }

    private static void agree(LvName name, long tableId, long reportId) {
        if (tableId != reportId) {
            throw refuse(FailureClass.SNAPSHOT_UNUSABLE, name + " is thin device " + tableId + " in its device-mapper"
                    + " table but " + reportId + " in LVM's report; is LVM changing it? Try again");
        }
    }

    private DevNo devNo(LvName name) throws IOException {
        for (DmDevice d : dm.list()) {
            if (d.name().equals(name.dmName())) {
                return d.dev();
            }
        }
        throw refuse(FailureClass.SNAPSHOT_UNUSABLE, name + " vanished while it was looked at; try again");
    }

    private static LvmsyncException refuse(FailureClass why, String message) {
        return new LvmsyncException(why, message);
    }
}
