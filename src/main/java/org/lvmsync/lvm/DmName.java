package org.lvmsync.lvm;

/**
 * A device-mapper name as LVM builds it: {@code VG-LV} or {@code VG-LV-LAYER}, where a
 * single {@code -} separates the parts and {@code --} stands for a dash inside VG or LV.
 * The layer (e.g. {@code real}, {@code cow}, {@code tpool}, {@code _tmeta} follows LV
 * after one dash) is empty for the LV's own device.
 */
public record DmName(String vg, String lv, String layer) {

    /** Splits a dm name (without {@code /dev/mapper/}) into VG, LV and layer. */
    public static DmName parse(String dmName) {
        StringBuilder[] parts = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        int part = 0;
        for (int i = 0; i < dmName.length(); i++) {
            char c = dmName.charAt(i);
            if (c != '-' || part == 2) {
                parts[part].append(c);
            } else if (i + 1 < dmName.length() && dmName.charAt(i + 1) == '-') {
                parts[part].append('-');
                i++;
            } else {
                part++;
            }
        }
        if (part == 0) {
            throw LvName.bad("/dev/mapper/" + dmName,
                    "a device-mapper name of an LVM volume has the form VG-LV (dashes inside VG or LV doubled)");
        }
        if (part == 2 && parts[2].isEmpty()) {
            throw LvName.bad("/dev/mapper/" + dmName, "it ends with a lone '-'");
        }
        // LvName checks the characters and gives the message for empty parts.
        LvName lvName = new LvName(parts[0].toString(), parts[1].toString());
        return new DmName(lvName.vg(), lvName.lv(), parts[2].toString());
    }

    public LvName lvName() {
        return new LvName(vg, lv);
    }

    @Override
    public String toString() {
        return lvName().dmName(layer);
    }
}
