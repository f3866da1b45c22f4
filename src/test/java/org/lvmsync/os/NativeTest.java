package org.lvmsync.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.bindings.libc.fcntl_h;
import org.lvmsync.bindings.libc.ioctl_h;
import org.lvmsync.bindings.libc.mman_h;
import org.lvmsync.bindings.libc.stat_h;
import org.lvmsync.bindings.libc.unistd_h;

class NativeTest {
    /** Native links from its own descriptors (to link lazily); they must be the bindings' own. */
    @Test
    void everyDescriptorIsTheBindingsOwn() {
        assertEquals(fcntl_h.open.makeInvoker(fcntl_h.C_INT).descriptor(), Native.OPEN_DESC);
        assertEquals(ioctl_h.ioctl.makeInvoker(ioctl_h.C_POINTER).descriptor(), Native.IOCTL_DESC);
        for (var d : java.util.List.of(unistd_h.close$descriptor(), unistd_h.fsync$descriptor(), unistd_h.fdatasync$descriptor())) {
            assertEquals(d, Native.FD_DESC);
        }
        assertEquals(unistd_h.read$descriptor(), Native.RW_DESC);
        assertEquals(unistd_h.write$descriptor(), Native.RW_DESC);
        assertEquals(unistd_h.pread$descriptor(), Native.PRW_DESC);
        assertEquals(unistd_h.pwrite$descriptor(), Native.PRW_DESC);
        assertEquals(unistd_h.pipe2$descriptor(), Native.PIPE2_DESC);
        assertEquals(unistd_h.ftruncate$descriptor(), Native.FTRUNCATE_DESC);
        assertEquals(stat_h.fstat$descriptor(), Native.FSTAT_DESC);
        assertEquals(mman_h.mmap$descriptor(), Native.MMAP_DESC);
        assertEquals(mman_h.munmap$descriptor(), Native.MUNMAP_DESC);
        assertEquals(mman_h.madvise$descriptor(), Native.MADVISE_DESC);
        assertEquals(mman_h.mincore$descriptor(), Native.MINCORE_DESC);
        assertEquals(fcntl_h.splice$descriptor(), Native.SPLICE_DESC);
        assertEquals(fcntl_h.vmsplice$descriptor(), Native.VMSPLICE_DESC);
        assertEquals(unistd_h.syscall.makeInvoker(unistd_h.C_LONG, unistd_h.C_POINTER).descriptor(), Native.SYSCALL_2_DESC);
        assertEquals(unistd_h.syscall.makeInvoker(unistd_h.C_LONG, unistd_h.C_LONG, unistd_h.C_LONG, unistd_h.C_LONG,
                unistd_h.C_POINTER, unistd_h.C_LONG).descriptor(), Native.SYSCALL_6_DESC);
        assertEquals(fcntl_h.fcntl.makeInvoker(fcntl_h.C_INT).descriptor(), Native.FCNTL_INT_DESC);
    }

    @Test
    void errorsAreNamedWhereTheCLibraryCan() {
        assertEquals("Device or resource busy (EBUSY)", Native.describe(errno_h.EBUSY(), true));
    }

    @Test
    void withoutStrerrornameNpTheNumberStandsInForTheName() {
        // glibc before 2.32 (Debian 11, Ubuntu 20.04) has no strerrorname_np
        assertEquals("Device or resource busy (errno " + errno_h.EBUSY() + ")", Native.describe(errno_h.EBUSY(), false));
    }
}
