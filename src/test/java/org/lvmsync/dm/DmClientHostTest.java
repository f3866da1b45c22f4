package org.lvmsync.dm;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.lvmsync.LvmsyncException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** What DmClient says on a machine without device-mapper (like the build host). */
class DmClientHostTest {
    @Test
    void missingControlNodeIsOneActionableLine() {
        assumeFalse(Files.exists(DmClient.CONTROL), "this machine has device-mapper");
        LvmsyncException e = assertThrows(LvmsyncException.class, DmClient::open);
        assertEquals("device-mapper is not available: /dev/mapper/control missing (load dm_mod)", e.getMessage());
    }
}
