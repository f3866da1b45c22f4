package org.lvmsync.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.lvmsync.bindings.libc.errno_h;

class NativeTest {
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
