package org.lvmsync.discover;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.lvmsync.Classified;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.dm.DevNo;
import org.lvmsync.dm.DmClient;
import org.lvmsync.dm.Target;
import org.lvmsync.dm.ThinPoolTable;
import org.lvmsync.dm.ThinStatus;
import org.lvmsync.dm.ThinTable;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FileStat;

/**
 * Whether a destination is known to read zeros everywhere before anything is written to
 * it, so a full copy may skip what its source does not map and the destination stays
 * thin. Known only for a thin volume (one thin target over the whole device) that maps
 * nothing, has no external origin (whose data would show through), and whose pool zeroes
 * new blocks (without {@code skip_block_zeroing}, a block the copy writes only part of
 * would keep old data in the rest). Anything else, or a host without device-mapper: not
 * known, and zeros are written.
 */
public final class BlankThinVolume {
    private BlankThinVolume() {
    }

    /** For the device at {@code destination}; false for a file or anything not known to be blank. */
    public static boolean readsZeros(Path destination) throws IOException {
        if (!java.nio.file.Files.exists(destination)) {
            return false;   // the applier names what is missing
        }
        DevNo dev;
        long size;
        try (Fd fd = Fd.open(destination, Fd.O_RDONLY)) {
            FileStat st = fd.stat();
            if (!st.isBlockDevice()) {
                return false;
            }
            dev = new DevNo(st.rdevMajor(), st.rdevMinor());
            size = fd.size();
        }
        try (DmClient client = DmClient.open()) {
            return readsZeros(DmView.of(client), dev, size);
        } catch (RuntimeException e) {
            if (e instanceof Classified c && c.failureClass() == FailureClass.ENVIRONMENT) {
                Log.verbose(destination + ": cannot ask device-mapper (" + e.getMessage() + "); zeros are written");
                return false;
            }
            throw e;
        }
    }

    static boolean readsZeros(DmView dm, DevNo dev, long size) throws IOException {
        Optional<String> name = dm.nameOf(dev);
        if (name.isEmpty()) {
            return false;
        }
        List<Target> table = dm.table(name.get());
        if (table.size() != 1 || !table.get(0).type().equals("thin") || table.get(0).start() != 0
                || table.get(0).length() * 512 < size) {
            return false;
        }
        ThinTable thin = ThinTable.from(table.get(0));
        List<Target> status = dm.status(name.get());
        if (thin.externalOrigin().isPresent() || status.size() != 1 || !ThinStatus.from(status.get(0)).nothingMapped()) {
            return false;
        }
        Optional<String> pool = dm.nameOf(thin.pool());
        if (pool.isEmpty()) {
            return false;
        }
        List<Target> poolTable = dm.table(pool.get());
        return poolTable.size() == 1 && poolTable.get(0).type().equals("thin-pool")
                && !ThinPoolTable.from(poolTable.get(0)).features().contains("skip_block_zeroing");
    }
}
