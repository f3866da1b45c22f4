package org.lvmsync.thin;

import java.io.IOException;
import java.util.OptionalLong;

import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.dm.ThinPoolStatus;
import org.lvmsync.os.ErrnoException;

/**
 * A metadata snapshot of a live thin pool that this run took, and will give back.
 *
 * <p>A live pool rewrites its btrees under a reader; {@code reserve_metadata_snap} makes
 * the pool keep a frozen copy whose superblock sits at the held root the status shows.
 * Only one may exist per pool, and a forgotten one pins metadata blocks for ever, so:
 * one held by someone else (a backup tool, thin_delta, an lvmsync that was killed) is
 * refused and never released; ours is released by {@link #close()} on every way out the
 * code sees, and by a shutdown hook when SIGINT, SIGTERM or SIGHUP end the JVM. Before
 * releasing, the status must still show our root: one that someone else took after ours
 * was released by another hand is left alone. Only a SIGKILL or a crash can leave ours
 * behind; the next run then refuses it as held by someone else, naming the command that
 * releases it.
 *
 * <p>Reserving, releasing and the hook are serialized on this object, so a signal that
 * arrives while the reserve is in flight releases what it took.
 */
public final class HeldMetadata implements AutoCloseable {
    static final String RESERVE = "reserve_metadata_snap";
    static final String RELEASE = "release_metadata_snap";

    private final PoolControl pool;
    private final String poolName;
    private Thread hook;
    private boolean held;
    private long root;

    private HeldMetadata(PoolControl pool, String poolName) {
        this.pool = pool;
        this.poolName = poolName;
    }

    /** Reserves a metadata snapshot of {@code pool} (named {@code poolName} in messages, e.g. VG/POOL). */
    public static HeldMetadata reserve(PoolControl pool, String poolName) throws IOException {
        HeldMetadata h = new HeldMetadata(pool, poolName);
        h.take();
        return h;
    }

    /** The metadata block of the snapshot's superblock. */
    public synchronized long root() {
        return root;
    }

    private synchronized void take() throws IOException {
        OptionalLong other = pool.status().heldMetadataRoot();
        if (other.isPresent()) {
            throw heldByOther(other);
        }
        hook = new Thread(this::releaseOnExit, "lvmsync-release-metadata-snap");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            throw new LvmsyncException(FailureClass.INTERRUPTED, "interrupted before a metadata snapshot of thin pool "
                    + poolName + " was taken");
        }
        try {
            pool.message(RESERVE);
        } catch (IOException | RuntimeException e) {
            removeHook();
            if (e instanceof ErrnoException errno && errno.errno() == errno_h.EBUSY()) {
                throw heldByOther(pool.status().heldMetadataRoot()); // taken by someone else just now
            }
            throw e;
        }
        held = true;
        try {
            ThinPoolStatus s = pool.status();
            if (s.heldMetadataRoot().isEmpty()) {
                throw new LvmsyncException(FailureClass.IO, "thin pool " + poolName + " took " + RESERVE
                        + " but its status shows no held metadata root");
            }
            root = s.heldMetadataRoot().getAsLong();
        } catch (IOException | RuntimeException e) {
            release();
            removeHook();
            throw e;
        }
        Log.debug("reserved the metadata snapshot of thin pool " + poolName + " at block " + root);
    }

    private LvmsyncException heldByOther(OptionalLong at) {
        return new LvmsyncException(FailureClass.SNAPSHOT_UNUSABLE, "thin pool " + poolName + " already has a metadata"
                + " snapshot held" + (at.isPresent() ? " (at block " + at.getAsLong() + ")" : "") + ", taken by another"
                + " program (a backup tool, thin_delta, or an lvmsync that was killed); lvmsync never releases one it did"
                + " not take: let that program finish, or if none is running release it with 'dmsetup message "
                + pool.dmName() + " 0 " + RELEASE + "'");
    }

    /** Releases the snapshot (once; later calls do nothing). Never throws: a failure is a warning naming the fix. */
    @Override
    public synchronized void close() {
        if (held) {
            release();
        }
        removeHook();
    }

    private synchronized void releaseOnExit() {
        if (held) {
            release();
            Log.verbose("released the metadata snapshot of thin pool " + poolName + " on the way out");
        }
    }

    private void release() {
        held = false;
        OptionalLong now = null;   // unknown when the status cannot be read: ours as far as we know
        try {
            now = pool.status().heldMetadataRoot();
        } catch (IOException | RuntimeException e) {
            Log.debug("thin pool " + poolName + " status before the release: " + e.getMessage());
        }
        if (now != null && root != 0 && (now.isEmpty() || now.getAsLong() != root)) {
            Log.warn("the metadata snapshot of thin pool " + poolName + " that lvmsync took (block " + root + ") is "
                    + (now.isEmpty() ? "no longer held" : "replaced by one at block " + now.getAsLong())
                    + ": someone else released it; leaving the pool as it is");
            return;
        }
        try {
            pool.message(RELEASE);
            Log.debug("released the metadata snapshot of thin pool " + poolName);
        } catch (IOException | RuntimeException e) {
            Log.warn("could not release the metadata snapshot of thin pool " + poolName + " (" + e.getMessage()
                    + "); release it with 'dmsetup message " + pool.dmName() + " 0 " + RELEASE + "'");
        }
    }

    private void removeHook() {
        if (hook == null || Thread.currentThread() == hook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it finds nothing held
        }
        hook = null;
    }
}
