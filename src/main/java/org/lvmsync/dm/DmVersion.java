package org.lvmsync.dm;

/** The version of the kernel's device-mapper ioctl interface (4.x on every current kernel). */
public record DmVersion(int major, int minor, int patch) {
    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
