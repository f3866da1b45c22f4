package org.lvmsync.dm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.lvmsync.bindings.devmapper.libdevmapper_h;
import org.lvmsync.os.CString;
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

    /**
     * A string in the task's own memory, "" for NULL. {@code capacity} is the size of the
     * field it lies in (libdevmapper's name and uuid point into the ioctl header's
     * name[128] and uuid[129]): nothing past it is read.
     */
    static String string(MemorySegment p, int capacity) throws DmFormatException {
        if (p.equals(MemorySegment.NULL)) {
            return "";
        }
        return CString.at(p, capacity).orElseThrow(() -> new DmFormatException(
                "libdevmapper returned a string that does not end within its " + capacity + "-byte field"));
    }
}
