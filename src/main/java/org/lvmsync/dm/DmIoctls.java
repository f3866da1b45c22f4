package org.lvmsync.dm;

import org.lvmsync.bindings.dmioctl.dm_ioctl;
import org.lvmsync.bindings.dmioctl.dm_ioctl_h;
import org.lvmsync.os.IoctlNumber;

/**
 * The device-mapper ioctl numbers of {@code <linux/dm-ioctl.h>}: each is
 * {@code _IOWR(DM_IOCTL, <command>, struct dm_ioctl)}, a macro jextract does not generate,
 * so they are built here from the generated command numbers and struct size; the gcc
 * layout test proves each value against the header.
 */
public final class DmIoctls {
    public static final long DM_VERSION = dm(dm_ioctl_h.DM_VERSION_CMD());
    public static final long DM_LIST_DEVICES = dm(dm_ioctl_h.DM_LIST_DEVICES_CMD());
    public static final long DM_DEV_STATUS = dm(dm_ioctl_h.DM_DEV_STATUS_CMD());
    public static final long DM_TABLE_DEPS = dm(dm_ioctl_h.DM_TABLE_DEPS_CMD());
    public static final long DM_TABLE_STATUS = dm(dm_ioctl_h.DM_TABLE_STATUS_CMD());
    public static final long DM_TARGET_MSG = dm(dm_ioctl_h.DM_TARGET_MSG_CMD());

    private DmIoctls() {
    }

    private static long dm(int command) {
        return IoctlNumber.iowr(dm_ioctl_h.DM_IOCTL(), command, dm_ioctl.sizeof());
    }
}
