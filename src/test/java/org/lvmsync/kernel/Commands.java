package org.lvmsync.kernel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a helper program for a test (lvcreate, blockdev, blkdiscard): test code may shell
 * out, the product never does. A failure names the command, its exit status and its
 * stderr, so a broken fixture says what broke.
 */
public final class Commands {
    /** Generous: an LVM command under emulation takes about a second. */
    private static final long TIMEOUT_SECONDS = 180;

    private Commands() {
    }

    /** Runs {@code command}, returns its stdout; throws AssertionError unless it exits 0. */
    public static String run(String... command) {
        Result r = tryRun(command);
        if (r.status() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + r.status()
                    + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()));
        }
        return r.stdout();
    }

    /** Runs {@code command} and returns what happened, whatever its exit status. */
    public static Result tryRun(String... command) {
        Path dir = null;
        try {
            // output into files, so that a hung command cannot block us before the timeout
            dir = Files.createTempDirectory("lvmsync-cmd");
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            ProcessBuilder pb = new ProcessBuilder(List.of(command))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            // LVM complains about inherited descriptors; the JDK closes them anyway.
            pb.environment().put("LVM_SUPPRESS_FD_WARNINGS", "1");
            long start = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " still running after "
                        + TIMEOUT_SECONDS + " s");
            }
            // the guest's time goes to commands and JVM starts: each says what it cost
            System.err.println("  (" + seconds(start) + ") " + String.join(" ", command));
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** Seconds since {@code startNanos}, e.g. "1.3 s". */
    static String seconds(long startNanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }

    public record Result(int status, String stdout, String stderr) {
    }
}
