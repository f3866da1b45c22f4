package org.lvmsync.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crash report of the kernel tests, on the host with a JVM that really dies: it
 * writes through a wild address (SIGSEGV), its fatal-error log lands in the directory
 * named by -XX:ErrorFile=, and the watch fails naming the dead process.
 */
class JvmCrashesTest {
    @TempDir
    Path dir;

    /** The child: a native write to address 8, outside anything mapped. */
    public static final class Crash {
        public static void main(String[] args) {
            MemorySegment.ofAddress(8).reinterpret(8).set(ValueLayout.JAVA_LONG, 0, 1);
        }
    }

    @Test
    void aChildJvmThatDiesIsReportedWithItsCommandLine() throws Exception {
        JvmCrashes crashes = new JvmCrashes(dir);
        crashes.check("nothing yet");   // no log: no failure

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:ErrorFile=" + dir + "/hs_err_pid%p.log",
                "-XX:-CreateCoredumpOnCrash", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Crash.class.getName(), "marker-argument")
                .redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the crashing JVM did not end");
        // 134 (abort) with core dumps on, 1 without: the log, not the status, says "crash"
        assertNotEquals(0, p.exitValue(), Files.readString(dir.resolve("out")));

        AssertionError e = assertThrows(AssertionError.class, () -> crashes.check("the crash test"));
        String report = e.getMessage();
        assertTrue(report.startsWith("a JVM died while running: the crash test\n"), report);
        assertTrue(report.contains("Command Line: ") && report.contains(Crash.class.getName() + " marker-argument"),
                report);
        assertTrue(report.contains("SIGSEGV"), report);
        // a watch started after it does not report the same log again
        new JvmCrashes(dir).check("after the crash");
    }
}
