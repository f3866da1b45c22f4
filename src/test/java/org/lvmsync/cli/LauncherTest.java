package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * scripts/lvmsync end to end. The test lays out a copy of the script beside a
 * target/lvmsync.jar whose manifest points at the compiled classes and picocli, so it runs
 * before `mvn package` has built the real jar.
 */
class LauncherTest {
    record Result(int code, String out, String err) {
    }

    private static Path layout(Path root, boolean withJar) throws IOException, URISyntaxException {
        Path scripts = Files.createDirectories(root.resolve("scripts"));
        Path script = Files.copy(Path.of("scripts", "lvmsync"), scripts.resolve("lvmsync"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (withJar) {
            Manifest m = new Manifest();
            m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
            Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path picocli = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            m.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                    classes.toUri() + " " + picocli.toUri());
            Path jar = Files.createDirectories(root.resolve("target")).resolve("lvmsync.jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
                // the manifest is all it needs
            }
        }
        return script;
    }

    private static Result run(Path script, Path stdin, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of(script.toString())));
        pb.command().addAll(List.of(args));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    private static byte[] stream() {
        byte[] hs = "lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII);
        byte[] s = java.util.Arrays.copyOf(hs, hs.length + 14);
        s[hs.length + 6] = 0x10;          // offset 4096
        s[hs.length + 11] = 2;            // length 2
        s[hs.length + 12] = 'h';
        s[hs.length + 13] = 'i';
        return s;
    }

    @Test
    void appliesAnImageFromAFileAndFromStdin(@TempDir Path dir) throws Exception {
        Path script = layout(dir, true);
        Path img = Files.write(dir.resolve("disk.img"), new byte[8192]);
        Path changes = Files.write(dir.resolve("changes"), stream());
        Path undo = dir.resolve("undo");
        Result r = run(script, null, "--apply", changes.toString(), "-b", undo.toString(), img.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("Applied 1 record (2 bytes) to " + img), r.err());
        byte[] now = Files.readAllBytes(img);
        assertEquals(8192, now.length);
        assertEquals('h', now[4096]);
        assertEquals('i', now[4097]);

        r = run(script, undo, "--apply", "-", img.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals(0, Files.readAllBytes(img)[4096]);
    }

    @Test
    void versionAndUsageThroughTheScript(@TempDir Path dir) throws Exception {
        Path script = layout(dir, true);
        Result r = run(script, null, "--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("lvmsync ") && r.out().trim().endsWith("(Java)"), r.out());
        r = run(script, null, "-b", "x", "-s", "vg/snap");
        assertEquals(2, r.code());
        assertEquals("", r.out());
    }

    /** A JDK the launcher knows only by its release file, or only by asking it (no release file). */
    private static Path fakeJdk(Path dir, String release) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        // a wrapper, not a link: the launcher resolves links to find the JDK's home
        Files.writeString(java, "#!/bin/sh\nexec '" + System.getProperty("java.home") + "/bin/java' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (release != null) {
            Files.writeString(dir.resolve("release"), release);
        }
        return dir;
    }

    private static Result runWith(Path script, Path javaHome, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of(script.toString())));
        pb.command().addAll(List.of(args));
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        return new Result(p.exitValue(), out, "");
    }

    @Test
    void theJdkVersionComesFromItsReleaseFile(@TempDir Path dir) throws Exception {
        Path script = layout(dir, true);
        // the release file is believed without starting that java: here it says 17
        Path old = fakeJdk(dir.resolve("jdk17"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"17.0.2\"\n");
        Result r = runWith(script, old, "--version");
        if (!Files.isExecutable(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"))) {
            assertEquals(1, r.code(), r.out());
            assertTrue(r.out().contains("found only " + old.resolve("bin/java") + " (version 17)"), r.out());
        } else {
            assertEquals(0, r.code(), r.out()); // passed over for the Temurin 25 JDK
        }
        // no release file: the launcher asks the java itself, as before
        Result asked = runWith(script, fakeJdk(dir.resolve("bare"), null), "--version");
        assertEquals(0, asked.code(), asked.out());
        assertTrue(asked.out().startsWith("lvmsync ") && asked.out().trim().endsWith("(Java)"), asked.out());
    }

    /** The build's AOT cache is used only by the JVM and on the kind of CPU that made it. */
    @Test
    void theAotCacheIsUsedOnlyByTheJvmAndCpuThatMadeIt(@TempDir Path dir) throws Exception {
        Path script = layout(dir, true);
        String jvm = thisJvm();
        String flags = cpuFlags();
        Path aot = Files.writeString(dir.resolve("target/lvmsync.aot"), "not a real cache");
        Path made = dir.resolve("target/lvmsync.aot.jvm");
        for (String[] c : new String[][] {{jvm, flags, "true"}, {jvm, "fpu vme", "false"},
                {"/other/java " + jvm.substring(jvm.indexOf(' ') + 1), flags, "false"}}) {
            Files.writeString(made, c[0] + "\n" + c[1] + "\n");
            Files.setLastModifiedTime(aot, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
            String out = flagsOf(script, "--version");
            assertEquals(Boolean.parseBoolean(c[2]), out.contains("-XX:AOTCache="), c[0] + " / " + c[1] + ":\n" + out);
            assertTrue(out.contains("(Java)"), out);
        }
    }

    /** What the launcher writes of the JVM that made a cache: its real path and runtime version. */
    private static String thisJvm() throws IOException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
        String runtime = Files.readAllLines(Path.of(System.getProperty("java.home"), "release")).stream()
                .filter(l -> l.startsWith("JAVA_RUNTIME_VERSION=")).findFirst().orElseThrow()
                .replaceAll("^[^=]*=\"?|\"$", "");
        return javaBin + " " + runtime;
    }

    /** ... and of the CPU: the first flags line of /proc/cpuinfo. */
    private static String cpuFlags() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("flags")).findFirst().orElseThrow().replaceFirst("^[^:]*: ", "");
    }

    private static final java.util.regex.Pattern MAIN_CACHE = java.util.regex.Pattern.compile(
            "-XX:AOTCache=\\S*target/lvmsync\\.aot\\s");

    /** thin-delta starts with a cache of its own and its compile thresholds; every other run with the main cache; all C1 only. */
    @Test
    void thinDeltaRunsHaveTheirOwnAotCache(@TempDir Path dir) throws Exception {
        Path script = layout(dir, true);
        Files.writeString(dir.resolve("target/lvmsync.aot.jvm"), thisJvm() + "\n" + cpuFlags() + "\n");
        var later = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000);
        Files.setLastModifiedTime(Files.writeString(dir.resolve("target/lvmsync.aot"), "not a real cache"), later);
        String thinDelta = flagsOf(script, "thin-delta", "--help");
        assertTrue(MAIN_CACHE.matcher(thinDelta).find() && thinDelta.contains("-XX:TieredStopAtLevel=1"),
                "without a thin cache, the main one:\n" + thinDelta);
        Files.setLastModifiedTime(Files.writeString(dir.resolve("target/lvmsync-thin.aot"), "not a real cache"), later);
        thinDelta = flagsOf(script, "thin-delta", "--help");
        assertTrue(thinDelta.contains("target/lvmsync-thin.aot") && thinDelta.contains("-XX:TieredStopAtLevel=1"),
                thinDelta);
        assertTrue(thinDelta.contains("CompileThresholdScaling"), thinDelta);
        String version = flagsOf(script, "--version");
        assertTrue(MAIN_CACHE.matcher(version).find() && version.contains("-XX:TieredStopAtLevel=1")
                && !version.contains("CompileThresholdScaling"), version);
    }

    /** The JVM's command-line flags of a run through the script (and its output). */
    private static String flagsOf(Path script, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of(script.toString())));
        pb.command().addAll(List.of(args));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("LVMSYNC_JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void missingJarSaysToBuildIt(@TempDir Path dir) throws Exception {
        Path script = layout(dir, false);
        Result r = run(script, null, "--version");
        assertEquals(1, r.code());
        Path repo = dir.toRealPath();
        assertEquals("lvmsync: " + repo.resolve("target/lvmsync.jar") + " is missing; run 'mvn package' in "
                + repo + " first\n", r.err());
    }

    /** Under util-linux script(1) stdin and stdout are a pseudo terminal, as for a person typing. */
    @Test
    void refusesBinaryStreamsOnATerminal(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "no script(1)");
        Path script = layout(dir, true);
        Path image = dir.resolve("image");
        Files.write(image, new byte[8192]);
        String home = System.getProperty("java.home");
        Result apply = runOnTerminal(dir, "JAVA_HOME=" + home + " " + script + " --apply - " + image);
        assertEquals(2, apply.code(), apply.out());
        assertTrue(apply.out().contains("reads a change stream from stdin, which is a terminal"), apply.out());
        assertEquals(-1, java.util.Arrays.mismatch(new byte[8192], Files.readAllBytes(image)));
        Result send = runOnTerminal(dir, "JAVA_HOME=" + home + " " + script + " --stdout vg/lv-snap");
        assertEquals(2, send.code(), send.out());
        assertTrue(send.out().contains("stdout is a terminal; redirect it"), send.out());
    }

    private static Result runOnTerminal(Path dir, String command) throws Exception {
        Path log = dir.resolve("typescript");
        Process p = new ProcessBuilder("script", "-qefc", command, log.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "script did not finish");
        return new Result(p.exitValue(), out, "");
    }

    @Test
    void aKilledRunSaysWhatToDo(@TempDir Path dir) throws Exception {
        Path script = layout(dir, true);
        Path image = dir.resolve("image");
        Files.write(image, new byte[8192]);
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "--apply", "-", image.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path err = dir.resolve("err");
        pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        p.getOutputStream().write("lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII));
        // the first record's header and part of its payload: the apply opens the image, then waits for the rest
        p.getOutputStream().write(java.nio.ByteBuffer.allocate(12 + 10).putLong(0).putInt(100).array());
        p.getOutputStream().flush();   // the stream stays open
        // the launcher execs java; once that holds the image open, it is inside the apply
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && !holdsOpen(p.pid(), image) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(holdsOpen(p.pid(), image), "the apply never opened " + image);
        p.toHandle().destroy();        // SIGTERM alone: Process.destroy() would also close its stdin
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not stop");
        assertEquals(143, p.exitValue());
        assertTrue(Files.readString(err).contains("lvmsync: interrupted: the destination may be partly updated;"
                + " running the same command again completes it"), Files.readString(err));
    }

    private static boolean holdsOpen(long pid, Path file) throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (IOException e) {
                    return false;   // closed meanwhile
                }
            });
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }
}
