package org.lvmsync.lvm;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What LVM's report says about the LVs of a volume group: the relations between LVs
 * (which LV a thin snapshot was taken of, its pool and thin id) that device-mapper does
 * not know. An interface so discovery is unit-tested with reports written in the test.
 */
public interface LvmView {
    /** Every LV of {@code vg} (hidden ones included), empty if there is no such VG. */
    List<LvInfo> volumeGroup(String vg) throws IOException;

    /** The LV {@code name}, if LVM knows it. */
    default Optional<LvInfo> find(LvName name) throws IOException {
        return volumeGroup(name.vg()).stream().filter(lv -> lv.lvName().equals(name.lv())).findFirst();
    }

    /** A view that knows no LV (discovery from device-mapper tables alone). */
    static LvmView none() {
        return vg -> List.of();
    }
}
