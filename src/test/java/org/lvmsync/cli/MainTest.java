package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    void onlyALoneVersionOptionSkipsTheParser() {
        assertTrue(Main.isVersionOnly(new String[] {"--version"}));
        assertTrue(Main.isVersionOnly(new String[] {"-V"}));
        assertTrue(!Main.isVersionOnly(new String[] {"--version", "-v"}));
        assertTrue(!Main.isVersionOnly(new String[] {"--ver"}));
        assertTrue(!Main.isVersionOnly(new String[] {}));
        assertTrue(VersionProvider.line().startsWith("lvmsync ") && VersionProvider.line().endsWith(" (Java)"));
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
        // a change file that is not there: the same on every machine, dm or not
        assertEquals(1, run("--apply", "target/no-such-dir/changes", "target/no-such-dir/image"));
        assertTrue(err().startsWith("lvmsync: ") && err().contains("target/no-such-dir/"), err());
        assertEquals(1, err().lines().count(), err());
        assertEquals("", out());
    }

    @Test
    void stackTraceOnlyWithDebug() {
        assertEquals(1, run("-d", "--apply", "target/no-such-dir/changes", "target/no-such-dir/image"));
        assertTrue(err().startsWith("lvmsync: ") && err().contains("target/no-such-dir/"), err());
        assertTrue(err().contains("\tat org.lvmsync."), err());
    }

    /** lvmsync PROTO[3], one record: 3 bytes at offset 2. */
    private static byte[] smallStream() {
        byte[] hs = "lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII);
        byte[] s = java.util.Arrays.copyOf(hs, hs.length + 15);
        s[hs.length + 7] = 2;
        s[hs.length + 11] = 3;
        s[hs.length + 12] = 'x';
        s[hs.length + 13] = 'y';
        s[hs.length + 14] = 'z';
        return s;
    }

    @Test
    void applyWritesTheImageAndOnlyStderrTalks(@TempDir Path dir) throws IOException {
        Path img = Files.write(dir.resolve("disk.img"), new byte[8]);
        Path stream = Files.write(dir.resolve("changes"), smallStream());
        Path undo = dir.resolve("undo");
        assertEquals(0, run("--apply", stream.toString(), "--snapback", undo.toString(), img.toString()), err());
        assertEquals("", out());
        assertTrue(err().startsWith("Applied 1 record (3 bytes) to " + img + " in "), err());
        assertEquals("\0\0xyz\0\0\0", new String(Files.readAllBytes(img), StandardCharsets.ISO_8859_1));
        err.reset();
        assertEquals(0, run("-q", "-a", undo.toString(), img.toString()));
        assertEquals("", err(), "quiet");
        assertEquals("", out());
        assertEquals(8, Files.size(img));
        assertEquals(0, Files.readAllBytes(img)[2]);
    }

    @Test
    void corruptStreamExitsThree(@TempDir Path dir) throws IOException {
        Path img = Files.write(dir.resolve("disk.img"), new byte[8]);
        byte[] s = smallStream();
        Path stream = Files.write(dir.resolve("changes"), java.util.Arrays.copyOf(s, s.length - 2));
        assertEquals(3, run("--apply", stream.toString(), img.toString()));
        assertEquals("", out());
        String[] lines = err().split("\\R");
        assertEquals("lvmsync: corrupt change stream " + stream + ": record 1 at stream byte 17: payload cut short:"
                + " the stream ends at byte 30 after 1 of 3 payload bytes", lines[lines.length - 1]);
    }

    @Test
    void serverIsTheDeprecatedApplyFromStdin() {
        // without a destination: the warning, then the usage error of --apply - (stdin is never read)
        assertEquals(2, run("--server"));
        assertEquals("lvmsync: --server is deprecated; use --apply -" + System.lineSeparator()
                + "lvmsync: --apply needs the destination device" + System.lineSeparator()
                + "Try 'lvmsync --help' for more information." + System.lineSeparator(), err());
        assertEquals("", out());
    }
}
