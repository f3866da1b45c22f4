package org.lvmsync.lvm;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

/**
 * A logical volume named by volume group and LV name.
 *
 * <p>Users name an LV three ways: {@code /dev/VG/LV} (udev's symlink), {@code VG/LV}
 * (LVM's own notation) and {@code /dev/mapper/VG-LV} (the device-mapper node). In the dm
 * name VG and LV are joined by a single {@code -}, and every {@code -} inside either
 * name is doubled, so {@code my-vg/lv-1} becomes {@code my--vg-lv--1}. LVM names may
 * hold {@code A-Z a-z 0-9 + _ . -}, must not start with {@code -}, and are not
 * {@code .} or {@code ..}.
 */
public record LvName(String vg, String lv) {
    /** LVM's NAME_LEN is 128 including the terminating NUL. */
    public static final int MAX_NAME = 127;
    private static final String DEV = "/dev/";
    private static final String MAPPER = "/dev/mapper/";

    public LvName {
        checkName(vg, "volume group", vg + "/" + lv);
        checkName(lv, "logical volume", vg + "/" + lv);
    }

    /** Accepts {@code /dev/VG/LV}, {@code /dev/mapper/VG-LV} or {@code VG/LV}. */
    public static LvName parse(String name) {
        if (name == null || name.isEmpty()) {
            throw bad(String.valueOf(name), "the name is empty");
        }
        if (name.startsWith(MAPPER)) {
            DmName dm = DmName.parse(name.substring(MAPPER.length()));
            if (!dm.layer().isEmpty()) {
                throw bad(name, "this is LVM's internal '" + dm.layer() + "' device of " + dm.lvName()
                        + "; name the logical volume itself, e.g. " + dm.lvName());
            }
            return dm.lvName();
        }
        String path = name.startsWith(DEV) ? name.substring(DEV.length()) : name;
        if (name.startsWith("/") && !name.startsWith(DEV)) {
            throw bad(name, "expected /dev/VG/LV, /dev/mapper/VG-LV or VG/LV");
        }
        int slash = path.indexOf('/');
        if (slash < 0 || path.indexOf('/', slash + 1) >= 0) {
            throw bad(name, "expected /dev/VG/LV, /dev/mapper/VG-LV or VG/LV");
        }
        return new LvName(path.substring(0, slash), path.substring(slash + 1));
    }

    /** The device-mapper name: VG and LV joined by one dash, inner dashes doubled. */
    public String dmName() {
        return escape(vg) + "-" + escape(lv);
    }

    /** The dm name of one of LVM's layers of this LV, e.g. {@code cow} or {@code real}. */
    public String dmName(String layer) {
        return layer.isEmpty() ? dmName() : dmName() + "-" + layer;
    }

    /** {@code /dev/mapper/VG-LV}: the node that exists whenever the LV is active. */
    public String mapperPath() {
        return MAPPER + dmName();
    }

    /** {@code /dev/VG/LV}: udev's symlink. */
    public String devPath() {
        return DEV + vg + "/" + lv;
    }

    /** LVM's own notation {@code VG/LV}. */
    @Override
    public String toString() {
        return vg + "/" + lv;
    }

    static String escape(String name) {
        return name.replace("-", "--");
    }

    private static void checkName(String name, String what, String whole) {
        if (name == null || name.isEmpty()) {
            throw bad(whole, "the " + what + " name is empty");
        }
        if (name.length() > MAX_NAME) {
            throw bad(whole, "the " + what + " name is longer than " + MAX_NAME + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            throw bad(whole, "'" + name + "' is not a valid " + what + " name");
        }
        if (name.charAt(0) == '-') {
            throw bad(whole, "a " + what + " name must not start with '-'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '+' || c == '_' || c == '.' || c == '-';
            if (!ok) {
                throw bad(whole, "character '" + printable(c) + "' is not allowed in a " + what
                        + " name (allowed: A-Z a-z 0-9 + _ . -)");
            }
        }
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }

    static LvmsyncException bad(String name, String why) {
        StringBuilder shown = new StringBuilder();
        name.chars().forEach(c -> shown.append(printable((char) c)));
        return new LvmsyncException(FailureClass.USAGE, "invalid logical volume name '" + shown + "': " + why);
    }
}
