package org.lvmsync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.io.PreadEngine;

class ReadGapTest {
    @Test
    void aFileIsReadRunByRunAndTheVariableWins() throws IOException {
        Path file = TestFiles.file("read-gap", new byte[8192]);
        try (PreadEngine engine = PreadEngine.open(file)) {
            assertEquals(0, ReadGap.of(null, engine));
            assertEquals(0, ReadGap.of(" ", engine));
            assertEquals(65536, ReadGap.of("65536", engine));
            assertEquals(Sender.IO_BYTES, ReadGap.of(Long.toString(Sender.IO_BYTES), engine));
            for (String bad : new String[] {"-1", "64k", Long.toString(Sender.IO_BYTES + 1)}) {
                LvmsyncException e = assertThrows(LvmsyncException.class, () -> ReadGap.of(bad, engine));
                assertEquals(FailureClass.USAGE, e.failureClass());
                assertEquals("LVMSYNC_READ_GAP=" + bad + " is not a read gap; use a number of bytes from 0 to 4194304"
                        + " (or unset it)", e.getMessage());
            }
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
