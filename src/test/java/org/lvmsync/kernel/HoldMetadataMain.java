package org.lvmsync.kernel;

import org.lvmsync.job.DmPool;
import org.lvmsync.thin.HeldMetadata;

/**
 * A JVM that reserves a metadata snapshot of a pool through lvmsync's own
 * {@link HeldMetadata}, says so on stdout, and waits to be killed by a signal: the test
 * of what the shutdown hook releases on SIGTERM, SIGINT and SIGHUP while one is held
 * (a real run holds it only for the milliseconds of the diff).
 */
public final class HoldMetadataMain {
    private HoldMetadataMain() {
    }

    public static void main(String[] args) throws Exception {
        HeldMetadata held = HeldMetadata.reserve(new DmPool(args[0]), args[0]);
        System.out.println("held " + held.root());
        System.out.flush();
        Thread.sleep(600_000);
        held.close();
    }
}
