package org.lvmsync.discover;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.lvmsync.dm.DevNo;
import org.lvmsync.dm.DmClient;
import org.lvmsync.dm.DmDevice;
import org.lvmsync.dm.Target;

/**
 * The few device-mapper questions discovery asks. An interface so the decisions (what is a
 * snapshot, which device is its origin, what to refuse) are unit-tested with tables
 * written in the test, and answered by the kernel through {@link DmClient} in real runs.
 */
public interface DmView {
    boolean exists(String name) throws IOException;

    List<Target> table(String name) throws IOException;

    List<Target> status(String name) throws IOException;

    List<DmDevice> list() throws IOException;

    Optional<String> nameOf(DevNo dev) throws IOException;

    /** How many holders have the device open now (mounts, programs, stacked devices). */
    int openCount(DevNo dev) throws IOException;

    static DmView of(DmClient dm) {
        return new DmView() {
            @Override
            public boolean exists(String name) throws IOException {
                return dm.exists(name);
            }

            @Override
            public List<Target> table(String name) throws IOException {
                return dm.table(name);
            }

            @Override
            public List<Target> status(String name) throws IOException {
                return dm.status(name);
            }

            @Override
            public List<DmDevice> list() throws IOException {
                return dm.list();
            }

            @Override
            public Optional<String> nameOf(DevNo dev) throws IOException {
                return dm.nameOf(dev.major(), dev.minor());
            }

            @Override
            public int openCount(DevNo dev) throws IOException {
                return dm.info(dev).openCount();
            }
        };
    }
}
