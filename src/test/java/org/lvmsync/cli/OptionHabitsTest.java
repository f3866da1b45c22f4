package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.cli.FaultSweepTest.Cli;
import org.lvmsync.cli.FaultSweepTest.Rec;

/** Habits of the original's users (issue 10, defects 10 and 13), through the real entry point. */
class OptionHabitsTest {
    @TempDir
    Path dir;

    private Path stream() throws IOException {
        return Files.write(dir.resolve("changes"), FaultSweepTest.encode(List.of(new Rec(2, new byte[] {'x', 'y'}))));
    }

    /** Defect 13: unique prefixes of long options worked with Ruby's OptionParser: --snap, --verb. */
    @Test
    void uniquePrefixesOfLongOptionsAreTheOptions() throws IOException {
        Path img = Files.write(dir.resolve("disk.img"), new byte[8]);
        Path undo = dir.resolve("undo");
        Cli.Result r = Cli.run("--verb", "--app", stream().toString(), "--snap", undo.toString(), img.toString());
        assertEquals(0, r.status(), r.stderr());
        assertTrue(Files.exists(undo), "--snap is --snapback");
        assertTrue(r.stderr().contains("Snapback " + undo + ": 1 records"), "--verb is --verbose: " + r.stderr());
        assertEquals(0, Cli.run("--no-verb", "--q", "--app", undo.toString(), img.toString()).status());
    }

    @Test
    void anAmbiguousPrefixIsAUsageError() {
        Cli.Result r = Cli.run("--s", "vg/snap");
        assertEquals(2, r.status());
        assertEquals("lvmsync: '--s' is not unique: it matches '--server', '--stdout', '--snapback', '--skip-past-end', '--since'",
                r.stderr().lines().findFirst().orElseThrow());
    }

    /** Defect 13: -e means something only with a remote shell; '-e ""' used to break a local run. */
    @Test
    void rshIsOnlyParsedForARemoteDestination() {
        for (String[] args : new String[][] {{"-e", "", "vg/snap", "--stdout"}, {"-e", "", "vg/snap", "/dev/vg2/lv"},
            {"--rsh", "ssh 'x", "vg/snap", "/dev/vg2/lv"}}) {
            Cli.Result r = Cli.run(args);
            assertNotEquals(2, r.status(), r.stderr());
            assertFalse(r.stderr().contains("rsh") || r.stderr().contains("remote shell"), r.stderr());
        }
        assertEquals(2, Cli.run("-e", "", "vg/snap", "host:/dev/vg2/lv").status(), "with a host it must be valid");
    }

    /** Defect 10, our side of it: after '--' a destination starting with '-' is a destination. */
    @Test
    void aDestinationAfterDoubleDashMayStartWithADash() throws IOException {
        Path img = Path.of("-lvmsync-test-" + ProcessHandle.current().pid() + ".img");
        try {
            Files.write(img, new byte[8]);
            Cli.Result r = Cli.run("--apply", stream().toString(), "--", img.toString());
            assertEquals(0, r.status(), r.stderr());
            assertEquals('x', Files.readAllBytes(img)[2]);
        } finally {
            Files.deleteIfExists(img);
        }
    }
}
