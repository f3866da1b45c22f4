package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.stream.CorruptStreamException;

/** The documented exit codes, from the failure classes that the code below the CLI reports. */
class ExitCodeTest {
    @Test
    void everyFailureClassHasItsDocumentedCode() {
        Map<FailureClass, Integer> documented = Map.of(
                FailureClass.USAGE, 2, FailureClass.NOT_A_SNAPSHOT, 1, FailureClass.SNAPSHOT_UNUSABLE, 1,
                FailureClass.DESTINATION, 1, FailureClass.BAD_INPUT, 3, FailureClass.REMOTE, 4,
                FailureClass.INTERRUPTED, 130, FailureClass.ENVIRONMENT, 1, FailureClass.IO, 1);
        assertEquals(FailureClass.values().length, documented.size(), "a new class needs its code documented");
        documented.forEach((failure, code) -> assertEquals(code, ExitCode.of(failure).code, failure.name()));
    }

    @Test
    void exceptionsAreClassifiedByWhatTheyCarry() {
        assertEquals(FailureClass.REMOTE, Main.failureClass(new LvmsyncException(FailureClass.REMOTE, "x")));
        assertEquals(FailureClass.BAD_INPUT, Main.failureClass(new CorruptStreamException("s", 0, 1, "x")));
        assertEquals(FailureClass.IO, Main.failureClass(new ErrnoException("pread", "/dev/x", 5)));
        assertEquals(FailureClass.INTERRUPTED, Main.failureClass(new InterruptedIOException("stop")));
        assertEquals(FailureClass.IO, Main.failureClass(new IOException("plain")));
    }
}
