package org.lvmsync.sync;

import java.io.IOException;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.io.IoEngine;

/**
 * How far apart two changed runs may lie and still be read in one request (the unchanged
 * bytes between them read and dropped, never sent).
 *
 * <p>On a device that seeks, a read of the gap costs less than the seek it saves: at
 * 150 MB/s a 256 KiB gap is 1.7 ms, a seek 4-10 ms. In the project's qemu guest, whose
 * virtual disks say they seek, the race's 20,000 scattered chunks took 6.7 s read apart
 * and 5.2 s read within 256 KiB of each other (64 KiB: 6.1 s; BENCHMARKS.md). On a device
 * that says it does not seek (SSD, NVMe), reading at queue depth is faster than reading
 * more bytes, so runs are read apart there.
 *
 * <p>{@code LVMSYNC_READ_GAP=BYTES} (0 to {@link Sender#IO_BYTES}) sets it whatever the device.
 */
public final class ReadGap {
    /** For a device that seeks. */
    public static final long ROTATIONAL = 256 << 10;
    static final String VARIABLE = "LVMSYNC_READ_GAP";

    private ReadGap() {
    }

    /** The gap for reading {@code source}: the variable's, else by what the kernel says of the device. */
    public static long of(IoEngine source) throws IOException {
        return of(System.getenv(VARIABLE), source);
    }

    static long of(String value, IoEngine source) throws IOException {
        if (value == null || value.isBlank()) {
            return source.rotational() ? ROTATIONAL : 0;
        }
        try {
            long gap = Long.parseLong(value.strip());
            if (gap >= 0 && gap <= Sender.IO_BYTES) {
                return gap;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new LvmsyncException(FailureClass.USAGE, VARIABLE + "=" + value
                + " is not a read gap; use a number of bytes from 0 to " + Sender.IO_BYTES + " (or unset it)");
    }
}
