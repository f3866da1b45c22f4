package org.lvmsync.dm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.lvmsync.bindings.devmapper.libdevmapper_h;
import org.lvmsync.os.ErrnoException;

/**
 * One libdevmapper task (one ioctl): created, configured, run once, destroyed by its
 * owner. Strings handed to libdevmapper are copied by it, so they live in the caller's
 * confined arena only for the call. Results read from the task point into the task's own
 * memory and must be copied out before close().
 */
final class DmTask implements AutoCloseable {
    private final MemorySegment dmt;
    private final String operation;
    private final String device;
    private final Arena arena;

    DmTask(Arena arena, int type, String operation, String device) throws DmException {
        this.dmt = libdevmapper_h.dm_task_create(type);
        if (dmt.equals(MemorySegment.NULL)) {
            throw new DmException("libdevmapper could not create a " + operation + " task (out of memory?)");
        }
        this.arena = arena;
        this.operation = operation;
        this.device = device;
    }

    MemorySegment handle() {
        return dmt;
    }

    DmTask name(String name) throws DmException {
        check(libdevmapper_h.dm_task_set_name(dmt, arena.allocateFrom(name)), "set the name");
        return this;
    }

    DmTask devNo(DevNo dev) throws DmException {
        check(libdevmapper_h.dm_task_set_major(dmt, dev.major()), "set the major number");
        check(libdevmapper_h.dm_task_set_minor(dmt, dev.minor()), "set the minor number");
        return this;
    }

    DmTask message(long sector, String text) throws DmException {
        check(libdevmapper_h.dm_task_set_sector(dmt, sector), "set the sector");
        check(libdevmapper_h.dm_task_set_message(dmt, arena.allocateFrom(text)), "set the message");
        return this;
    }

    DmTask noOpenCount() throws DmException {
        check(libdevmapper_h.dm_task_no_open_count(dmt), "skip the open count");
        return this;
    }

    /** Runs the ioctl; a failure carries the kernel's errno when libdevmapper kept one. */
    void run() throws DmException, ErrnoException {
        if (libdevmapper_h.dm_task_run(dmt) == 0) {
            int errno = libdevmapper_h.dm_task_get_errno(dmt);
            if (errno != 0) {
                throw new ErrnoException("device-mapper " + operation, device, errno);
            }
            throw new DmException("device-mapper " + operation + " " + device
                    + " failed (libdevmapper gave no reason; its messages above may tell)");
        }
    }

    private void check(int ok, String what) throws DmException {
        if (ok == 0) {
            throw new DmException("libdevmapper could not " + what + " for " + operation + " of " + device
                    + " (name longer than 127 bytes?)");
        }
    }

    @Override
    public void close() {
        libdevmapper_h.dm_task_destroy(dmt);
    }

    /** A NUL-terminated string owned by libdevmapper, or "" for NULL. */
    static String string(MemorySegment p) {
        return p.equals(MemorySegment.NULL) ? "" : p.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
