package org.lvmsync.discover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DevNo;
import org.lvmsync.lvm.DmName;
import org.lvmsync.lvm.LvName;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FileStat;

/**
 * Turns what the user typed into the snapshot's LV name. The three LVM spellings
 * ({@code VG/LV}, {@code /dev/VG/LV}, {@code /dev/mapper/VG-LV}) are read as text; any
 * other path to the snapshot's device node ({@code /dev/dm-4},
 * {@code /dev/disk/by-id/dm-name-…}) is followed by its device number, which
 * device-mapper names.
 */
public final class SnapshotName {
    private SnapshotName() {
    }

    /**
     * The name as text, checked before device-mapper is asked anything; empty when the
     * argument is instead a path to a block device, for {@link #byDevice}.
     *
     * @throws LvmsyncException (USAGE) when it is neither
     */
    public static Optional<LvName> parse(String argument) throws IOException {
        try {
            return Optional.of(LvName.parse(argument));
        } catch (LvmsyncException notAName) {
            if (blockDeviceNumber(argument).isEmpty()) {
                throw notAName;
            }
            return Optional.empty();
        }
    }

    /** The LV whose device node {@code argument} is. */
    public static LvName byDevice(String argument, DmView dm) throws IOException {
        DevNo number = blockDeviceNumber(argument).orElseThrow(() -> new LvmsyncException(FailureClass.USAGE,
                argument + " is not a block device"));
        String dmName = dm.nameOf(number).orElseThrow(() -> new LvmsyncException(FailureClass.USAGE,
                argument + " is block device " + number + ", which is not a device-mapper device;"
                        + " name the LVM snapshot, e.g. VG/LV"));
        DmName name = DmName.parse(dmName);
        if (!name.layer().isEmpty()) {
            throw new LvmsyncException(FailureClass.USAGE, argument + " is " + dmName + ", LVM's internal '"
                    + name.layer() + "' device of " + name.lvName() + "; name the snapshot itself");
        }
        return name.lvName();
    }

    private static Optional<DevNo> blockDeviceNumber(String argument) throws IOException {
        Path path = Path.of(argument);
        if (!argument.startsWith("/") || !Files.exists(path)) {
            return Optional.empty();
        }
        try (Fd fd = Fd.open(path, Fd.O_RDONLY)) {
            FileStat st = fd.stat();
            return st.isBlockDevice() ? Optional.of(new DevNo(st.rdevMajor(), st.rdevMinor())) : Optional.empty();
        }
    }
}
