package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lvmsync.Log;

/** The real entry point, with stdout and stderr captured. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedLog;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedLog = Log.stream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        Log.setStream(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        Log.setStream(savedLog);
        Log.setLevel(Log.Level.NORMAL);
    }

    private int run(String... args) {
        return Main.execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void versionNamesTheBuild() {
        assertEquals(0, run("--version"));
        assertTrue(out().matches("lvmsync \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java\\)\\R"), out());
        assertEquals("", err());
        out.reset();
        assertEquals(0, run("-V"));
        assertTrue(out().startsWith("lvmsync "), out());
    }

    @Test
    void helpListsEveryOptionOfTheOriginal() {
        assertEquals(0, run("--help"));
        String help = out();
        assertTrue(help.startsWith("Usage: lvmsync [options] <snapshot> [--stdout | [<host>:]<destdevice>]"), help);
        for (String option : new String[] {"--apply", "--server", "--stdout", "--snapback", "--data-source",
            "--rsh", "--[no-]verbose", "--[no-]debug", "--[no-]quiet", "--version", "--help", "--skip-past-end",
            "-a,", "-s,", "-b,", "-r,", "-e,", "-v,", "-d,", "-q,", "-V,", "-h,"}) {
            assertTrue(help.contains(option), option + " missing in\n" + help);
        }
        assertEquals("", err());
    }

    private void assertUsageError(String expectedLine, String... args) {
        out.reset();
        err.reset();
        assertEquals(2, run(args), err());
        assertEquals("lvmsync: " + expectedLine + System.lineSeparator()
                + "Try 'lvmsync --help' for more information." + System.lineSeparator(), err());
        assertEquals("", out(), "stdout must stay empty");
    }

    @Test
    void usageErrorsAreOneLineAndAHint() {
        assertUsageError("--quiet cannot be combined with --verbose or --debug", "-q", "-v", "vg/snap", "--stdout");
        assertUsageError("--quiet cannot be combined with --verbose or --debug", "--quiet", "--debug", "--apply", "-", "/x");
        assertUsageError("--snapback cannot be used with --stdout; give it to the lvmsync --apply that writes the device",
                "-b", "/tmp/undo", "-s", "vg/snap");
        assertUsageError("missing <snapshot>");
        assertUsageError("missing destination: give [<host>:]<destdevice> or --stdout", "vg/snap");
        assertUsageError("--stdout takes no destination, got /dev/x", "vg/snap", "--stdout", "/dev/x");
        assertUsageError("--apply needs the destination device", "--apply", "-");
        assertUsageError("--apply takes one destination device, got 2 arguments", "--apply", "f", "a", "b");
        assertUsageError("--stdout cannot be combined with --apply", "--apply", "f", "-s", "/dev/x");
        assertUsageError("--rsh is for sending; it has no meaning with --apply", "-a", "f", "-e", "rsh", "/dev/x");
        assertUsageError("--data-source is for sending; it has no meaning with --apply", "-a", "f", "-r", "/dev/y", "/dev/x");
        assertUsageError("--server is the old name of --apply -; give only one of them", "--server", "-a", "-", "/dev/x");
        assertUsageError("destination :/dev/x is not of the form [<host>:]<destdevice>", "vg/snap", ":/dev/x");
        assertUsageError("destination host: is not of the form [<host>:]<destdevice>", "vg/snap", "host:");
        assertUsageError("--rsh: unterminated ' quote in ssh 'x", "-e", "ssh 'x", "vg/snap", "h:/dev/x");
        assertUsageError("Unknown option: '--frobnicate'", "--frobnicate", "vg/snap", "--stdout");
        assertUsageError("Missing required parameter for option '--apply' (<file|->)", "--apply");
    }

    @Test
    void negatedOptionsUndoEarlierOnes() {
        // -q with -v is refused, but --no-verbose takes -v back
        assertEquals(1, run("-v", "--no-verbose", "-q", "vg/snap", "--stdout"), err());
        assertEquals("", out());
    }

    @Test
    void runtimeErrorsAreOneLine() {
        assertEquals(1, run("vg/snap", "--stdout"));
        assertEquals("lvmsync: sending from a snapshot is not available in this build" + System.lineSeparator(), err());
        assertEquals("", out());
    }

    @Test
    void stackTraceOnlyWithDebug() {
        assertEquals(1, run("-d", "vg/snap", "--stdout"));
        assertTrue(err().startsWith("lvmsync: sending from a snapshot is not available in this build"), err());
        assertTrue(err().contains("\tat org.lvmsync."), err());
    }
}
