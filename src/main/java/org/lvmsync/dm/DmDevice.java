package org.lvmsync.dm;

/** A device-mapper device as listed by the kernel: its name and device number. */
public record DmDevice(String name, DevNo dev) {
}
