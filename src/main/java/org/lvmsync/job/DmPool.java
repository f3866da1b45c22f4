package org.lvmsync.job;

import java.io.IOException;
import java.util.List;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DmClient;
import org.lvmsync.dm.Target;
import org.lvmsync.dm.ThinPoolStatus;
import org.lvmsync.thin.PoolControl;

/**
 * A thin pool target asked through device-mapper. Each call opens its own client: the
 * release may run on a shutdown hook's thread while the main thread is elsewhere, and a
 * {@link DmClient} has one owner.
 */
public record DmPool(String dmName) implements PoolControl {
    @Override
    public ThinPoolStatus status() throws IOException {
        try (DmClient dm = DmClient.open()) {
            List<Target> status = dm.status(dmName);
            if (status.size() != 1) {
                throw new LvmsyncException(FailureClass.SNAPSHOT_UNUSABLE, "thin pool " + dmName + " reports "
                        + status.size() + " status lines, a pool has one; is it changing?");
            }
            return ThinPoolStatus.from(status.get(0));
        }
    }

    @Override
    public void message(String text) throws IOException {
        try (DmClient dm = DmClient.open()) {
            dm.message(dmName, 0, text);
        }
    }
}
