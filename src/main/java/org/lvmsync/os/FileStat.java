package org.lvmsync.os;

/**
 * What fstat(2) says about an open file, reduced to what the tool decides on. {@code size}
 * is st_size: 0 for block devices (use {@link Fd#size()} for their capacity).
 */
public record FileStat(boolean isBlockDevice, boolean isRegularFile, long size,
                       int rdevMajor, int rdevMinor, int devMajor, int devMinor) {

    /** glibc's gnu_dev_major: the major number is split across bits 8..19 and 32..63. */
    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL));
    }

    /** glibc's gnu_dev_minor: the minor number is split across bits 0..7 and 20..63. */
    public static int minor(long dev) {
        return (int) ((dev & 0xffL) | ((dev >>> 12) & ~0xffL));
    }

    /** "major:minor" of the device this node stands for, as device-mapper tables write it. */
    public String rdev() {
        return rdevMajor + ":" + rdevMinor;
    }
}
