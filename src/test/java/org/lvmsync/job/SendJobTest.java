package org.lvmsync.job;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.testing.LoopDevice;

class SendJobTest {
    @Test
    void aLocalDestinationThatIsTheOriginIsRefused() throws Exception {
        try (LoopDevice origin = LoopDevice.attach("own", 1 << 20); LoopDevice other = LoopDevice.attach("other", 1 << 20)) {
            // another path to the same device: the refusal must compare device numbers, not names
            Path alias = origin.backingFile().resolveSibling("alias-" + ProcessHandle.current().pid());
            java.nio.file.Files.deleteIfExists(alias);
            java.nio.file.Files.createSymbolicLink(alias, origin.device());
            try {
                LvmsyncException e = assertThrows(LvmsyncException.class,
                        () -> SendJob.refuseOwnDevices(alias, List.of(origin.device())));
                assertEquals(FailureClass.USAGE, e.failureClass());
                assertTrue(e.getMessage().contains("is the same device as " + origin.device()), e.getMessage());
                assertDoesNotThrow(() -> SendJob.refuseOwnDevices(other.device(), List.of(origin.device())));
            } finally {
                java.nio.file.Files.deleteIfExists(alias);
            }
        }
    }
}
