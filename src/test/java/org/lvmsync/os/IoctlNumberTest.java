package org.lvmsync.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The encoding itself; LayoutTest proves the numbers built with it against gcc. */
class IoctlNumberTest {
    @Test
    void packsDirectionSizeTypeAndNumber() {
        assertEquals(0x1261, IoctlNumber.io(0x12, 0x61));
        assertEquals(0x80081272L, IoctlNumber.ior(0x12, 114, 8));    // BLKGETSIZE64 as the kernel documents it
        assertEquals(0x40081272L, IoctlNumber.iow(0x12, 114, 8));
        assertEquals(0xC138FD00L, IoctlNumber.iowr(0xfd, 0, 312));    // DM_VERSION, SPEC §6
        assertEquals(312, IoctlNumber.size(0xC138FD0EL));
    }

    @Test
    void refusesFieldsThatDoNotFit() {
        assertThrows(IllegalArgumentException.class, () -> IoctlNumber.io(0x100, 0));
        assertThrows(IllegalArgumentException.class, () -> IoctlNumber.io(0, 0x100));
        assertThrows(IllegalArgumentException.class, () -> IoctlNumber.ior(0x12, 1, 1 << 14));
    }
}
