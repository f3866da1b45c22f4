package org.lvmsync.dm;

/** A block device number, written "major:minor" as device-mapper tables and sysfs do. */
public record DevNo(int major, int minor) {
    public DevNo {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("negative device number " + major + ":" + minor);
        }
    }

    /** Parses "253:1". */
    public static DevNo parse(String text) throws DmFormatException {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new DmFormatException("expected a device number major:minor, found '" + text + "'");
        }
        try {
            return new DevNo(Integer.parseInt(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new DmFormatException("expected a device number major:minor, found '" + text + "'");
        }
    }

    /**
     * From the kernel's 64-bit dev_t encoding used by the dm ioctls and glibc
     * (minor bits 0-7 and 20-31+, major bits 8-19 and 32+).
     */
    public static DevNo decode(long dev) {
        int major = (int) (((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL));
        int minor = (int) ((dev & 0xffL) | ((dev >>> 12) & ~0xffL));
        return new DevNo(major, minor);
    }

    public long encode() {
        long ma = major & 0xffffffffL;
        long mi = minor & 0xffffffffL;
        return (mi & 0xff) | ((ma & 0xfff) << 8) | ((mi & ~0xffL) << 12) | ((ma & ~0xfffL) << 32);
    }

    // equals and hashCode written out: the first call of a record's generated ones
    // bootstraps them at run time (java.lang.runtime.ObjectMethods builds method handles,
    // and the JVM generates classes for them), and discovery compares device numbers at
    // every start (in the qemu guest's class-loading log of a sync, the bootstrap was
    // followed by 0.4 s of generated method-handle classes)
    @Override
    public boolean equals(Object other) {
        return other instanceof DevNo d && d.major == major && d.minor == minor;
    }

    @Override
    public int hashCode() {
        return 31 * major + minor;
    }

    @Override
    public String toString() {
        return major + ":" + minor;
    }
}
