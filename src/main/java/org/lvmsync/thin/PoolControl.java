package org.lvmsync.thin;

import java.io.IOException;

import org.lvmsync.dm.ThinPoolStatus;

/**
 * The two things a metadata snapshot needs from a live thin pool: its status (where the
 * held root is) and target messages. Real runs answer through device-mapper; tests
 * through a pool of their own.
 */
public interface PoolControl {
    /** The pool target's device-mapper name ({@code VG-POOL-tpool}), for messages and dmsetup hints. */
    String dmName();

    ThinPoolStatus status() throws IOException;

    /** Sends {@code text} to the pool target at sector 0. */
    void message(String text) throws IOException;
}
