package org.lvmsync.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

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
        assertEquals(fcntl_h.fallocate$descriptor(), Native.FALLOCATE_DESC);
        assertEquals(fcntl_h.posix_fadvise$descriptor(), Native.FADVISE_DESC);
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

    /**
     * The control calls go through one integer-register shape ({@link Native#WORDS}): each
     * C signature must be integers and pointers only (no floating point, no structs by
     * value), no more arguments than the shape has, and an integer or pointer result.
     */
    @Test
    void everyWordCallFitsItsShape() {
        for (FunctionDescriptor d : Native.WORD_CALLS) {
            assertFits(d, Native.WORDS.argumentLayouts().size());
        }
        for (FunctionDescriptor d : Native.VARIADIC_WORD_CALLS) {
            assertFits(d, Native.WORDS.argumentLayouts().size());
        }
        // the variadic functions' named arguments (the bindings' invokers without variadic ones)
        // are where the shape's variadic part starts: path, flags / fd, request / fd, cmd
        for (FunctionDescriptor named : List.of(fcntl_h.open.makeInvoker().descriptor(),
                ioctl_h.ioctl.makeInvoker().descriptor(), fcntl_h.fcntl.makeInvoker().descriptor())) {
            assertEquals(Native.WORDS_FIRST_VARIADIC, named.argumentLayouts().size(), named.toString());
        }
        for (MemoryLayout l : Native.WORDS.argumentLayouts()) {
            assertEquals(ValueLayout.JAVA_LONG, l);
        }
        assertEquals(8L, ValueLayout.ADDRESS.byteSize(), "a pointer is a 64-bit integer register");
    }

    private static void assertFits(FunctionDescriptor d, int maxArguments) {
        assertTrue(d.argumentLayouts().size() <= maxArguments, d + " has more arguments than " + maxArguments);
        for (MemoryLayout l : d.argumentLayouts()) {
            assertTrue(isIntegerRegister(l), d + ": " + l + " is not an integer or a pointer");
        }
        assertTrue(d.returnLayout().map(NativeTest::isIntegerRegister).orElse(false), d + ": its result");
    }

    private static boolean isIntegerRegister(MemoryLayout l) {
        return l instanceof ValueLayout.OfInt || l instanceof ValueLayout.OfLong || l instanceof AddressLayout;
    }

    @Test
    void aPointerMustBeLiveNativeMemory() {
        assertThrows(IllegalArgumentException.class, () -> Native.pointer(MemorySegment.ofArray(new byte[8])));
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(8);
            assertEquals(closed.address(), Native.pointer(closed));
        }
        assertThrows(IllegalStateException.class, () -> Native.pointer(closed));
        assertEquals(0L, Native.pointer(MemorySegment.NULL));
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
