package org.lvmsync.kernel;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.lvmsync.Log;
import org.lvmsync.cli.Main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs lvmsync for an end-to-end test: in this JVM through {@link Main#execute} with its
 * messages captured (a JVM start costs 5-15 s in the emulated guest), or as a process
 * through {@code scripts/lvmsync} where the mode needs a process boundary. Captured
 * messages are echoed to our stderr so a failing test shows what the tool said.
 */
final class Lvmsync {
    /** The launcher of this checkout; the tests run from the repository root. */
    static final Path LAUNCHER = Path.of("scripts/lvmsync").toAbsolutePath();
    private static final Pattern TRANSFERRED = Pattern.compile("(?m)^Transferred (\\d+) bytes in ");

    private Lvmsync() {
    }

    /** What one run did: exit status and everything it wrote to stderr. */
    record Run(int status, String stderr) {
        /** N of the original's closing line {@code Transferred N bytes in S seconds}. */
        long transferredBytes() {
            Matcher m = TRANSFERRED.matcher(stderr);
            assertTrue(m.find(), "no 'Transferred N bytes' line in:\n" + stderr);
            return Long.parseLong(m.group(1));
        }

        /** Lines that start with {@code prefix}. */
        List<String> lines(String prefix) {
            return stderr.lines().filter(l -> l.startsWith(prefix)).toList();
        }

        void assertStatus(int expected) {
            assertEquals(expected, status, "exit status; lvmsync said:\n" + stderr);
        }

        /**
         * A refusal: exit {@code expected}, and exactly one line, {@code lvmsync: ...}
         * containing {@code text} (no stack trace, no usage text).
         */
        void assertRefused(int expected, String text) {
            assertStatus(expected);
            List<String> all = stderr.lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, all.size(), "a refusal is one line; got:\n" + stderr);
            assertTrue(all.get(0).startsWith("lvmsync: ") && all.get(0).contains(text),
                    "expected 'lvmsync: ...'" + text + "...', got: " + all.get(0));
        }
    }

    /** {@code lvmsync ARGS} in this JVM (a remote side, --rsh, runs in a JVM of its own). */
    static Run inProcess(String... args) {
        JvmCrashes crashes = JvmCrashes.watch();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = Log.stream();
        long start = System.nanoTime();
        int status;
        try (PrintStream capture = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Log.setStream(capture);
            status = Main.execute(args);
        } finally {
            Log.setStream(saved);
            Log.setLevel(Log.Level.NORMAL);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        System.err.println("$ lvmsync " + String.join(" ", args) + "  -> exit " + status + " (" + Commands.seconds(start) + ")");
        System.err.print(text.indent(4));
        crashes.check("lvmsync " + String.join(" ", args));
        return new Run(status, text);
    }

    /**
     * The harness's options for every JVM a test starts ({@code LVMSYNC_JAVA_OPTS}: C1
     * only, {@code -XX:ErrorFile=} into the directory {@link JvmCrashes} watches), for a
     * JVM started without scripts/lvmsync, which reads them itself; none outside the guest.
     */
    static List<String> harnessJvmOptions() {
        String opts = System.getenv("LVMSYNC_JAVA_OPTS");
        return opts == null || opts.isBlank() ? List.of() : List.of(opts.strip().split("\\s+"));
    }

    /** {@code bash -c SCRIPT} (pipelines of scripts/lvmsync processes); stderr captured. */
    static Run shell(String script) {
        JvmCrashes crashes = JvmCrashes.watch();
        List<String> command = new ArrayList<>(List.of("bash", "-c", "set -o pipefail; " + script));
        long start = System.nanoTime();
        Commands.Result r = Commands.tryRun(command.toArray(String[]::new));
        System.err.println("$ " + script + "  -> exit " + r.status() + " (" + Commands.seconds(start) + ")");
        System.err.print(r.stderr().indent(4));
        crashes.check(script);
        return new Run(r.status(), r.stderr());
    }
}
