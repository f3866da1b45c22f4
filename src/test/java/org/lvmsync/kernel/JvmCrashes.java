package org.lvmsync.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds the JVMs that died while a test ran. Every JVM the kernel tests start writes its
 * fatal-error log into one directory: scripts/vm/kernel-tests gives the launcher's JVM
 * {@code -XX:ErrorFile=DIR/hs_err_pid%p.log}, and every {@code scripts/lvmsync} the same
 * through {@code LVMSYNC_JAVA_OPTS} (a remote one through sshd's SetEnv). It names DIR in
 * {@code LVMSYNC_HS_ERR_DIR}. A test that ran child JVMs checks afterwards whether a log
 * appeared and then fails with the log's head and the command line of the process that
 * died: a crash reads as a crash, not as an exit status or a broken pipe.
 */
final class JvmCrashes {
    static final String DIR_VARIABLE = "LVMSYNC_HS_ERR_DIR";
    /** Lines of a log shown: its summary (signal, frame) and the command line. */
    private static final int HEAD_LINES = 25;

    private final Path dir;
    private final Set<Path> before;

    JvmCrashes(Path dir) {
        this.dir = dir;
        this.before = logs(dir);
    }

    /**
     * Starts watching. In the guest the harness must have named the directory and made it:
     * a dying JVM writes no log into a directory that does not exist (it falls back to its
     * working directory), and then no crash would be seen here.
     */
    static JvmCrashes watch() {
        String named = System.getenv(DIR_VARIABLE);
        boolean inGuest = "1".equals(System.getenv("LVMSYNC_VM"));
        if (named == null || named.isBlank()) {
            if (inGuest) {
                throw new AssertionError(DIR_VARIABLE + " is not set: run the kernel tests through scripts/vm/kernel-tests");
            }
            return new JvmCrashes(null);
        }
        Path dir = Path.of(named);
        if (inGuest && !Files.isDirectory(dir)) {
            throw new AssertionError(DIR_VARIABLE + "=" + dir + " is not a directory: a JVM that died could not leave its log");
        }
        return new JvmCrashes(dir);
    }

    /** Fails if a JVM wrote a fatal-error log since {@link #watch()}; {@code what} says what ran. */
    void check(String what) {
        List<Path> fresh = new ArrayList<>(logs(dir));
        fresh.removeAll(before);
        if (fresh.isEmpty()) {
            return;
        }
        StringBuilder report = new StringBuilder("a JVM died while running: " + what + "\n");
        for (Path log : fresh) {
            report.append(describe(log));
        }
        System.err.print(report);
        throw new AssertionError(report.toString());
    }

    /** The process that died (pid, command line) and the head of its log. */
    static String describe(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            String command = lines.stream().filter(l -> l.startsWith("Command Line:")).findFirst()
                    .orElse("Command Line: (not in the log)");
            StringBuilder text = new StringBuilder("  " + log + "\n  " + command + "\n");
            lines.stream().limit(HEAD_LINES).forEach(l -> text.append("    ").append(l).append('\n'));
            return text.toString();
        } catch (IOException e) {
            return "  " + log + " (unreadable: " + e.getMessage() + ")\n";
        }
    }

    private static Set<Path> logs(Path dir) {
        Set<Path> found = new TreeSet<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return found;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return found;
    }
}
