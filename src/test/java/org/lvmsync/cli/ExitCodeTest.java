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
import org.lvmsync.stream.TruncatedStreamException;

/** The documented exit codes, from the failure classes that the code below the CLI reports. */
class ExitCodeTest {
    @Test
    void everyFailureClassHasItsDocumentedCode() {
        Map<FailureClass, Integer> documented = Map.ofEntries(
                Map.entry(FailureClass.USAGE, 2), Map.entry(FailureClass.NOT_A_SNAPSHOT, 1),
                Map.entry(FailureClass.SNAPSHOT_UNUSABLE, 1), Map.entry(FailureClass.DESTINATION, 1),
                Map.entry(FailureClass.BAD_INPUT, 3), Map.entry(FailureClass.REMOTE, 4),
                Map.entry(FailureClass.TRUNCATED, 5), Map.entry(FailureClass.VERIFY_MISMATCH, 6),
                Map.entry(FailureClass.WRONG_BASE, 7), Map.entry(FailureClass.INTERRUPTED, 130),
                Map.entry(FailureClass.ENVIRONMENT, 1), Map.entry(FailureClass.IO, 1));
        assertEquals(FailureClass.values().length, documented.size(), "a new class needs its code documented");
        documented.forEach((failure, code) -> assertEquals(code, ExitCode.of(failure).code, failure.name()));
    }

    @Test
    void exceptionsAreClassifiedByWhatTheyCarry() {
        assertEquals(FailureClass.REMOTE, Main.failureClass(new LvmsyncException(FailureClass.REMOTE, "x")));
        assertEquals(FailureClass.BAD_INPUT, Main.failureClass(new CorruptStreamException("s", 0, 1, "x")));
        assertEquals(FailureClass.TRUNCATED, Main.failureClass(new TruncatedStreamException("s", 0, 1, "x")));
        assertEquals(FailureClass.TRUNCATED,
                Main.failureClass(new TruncatedStreamException("s", 0, 1, "x").withOutcome("3 records applied")));
        assertEquals(FailureClass.IO, Main.failureClass(new ErrnoException("pread", "/dev/x", 5)));
        assertEquals(FailureClass.INTERRUPTED, Main.failureClass(new InterruptedIOException("stop")));
        assertEquals(FailureClass.IO, Main.failureClass(new IOException("plain")));
    }
}
