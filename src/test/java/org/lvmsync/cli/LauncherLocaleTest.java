package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.cli.FaultSweepTest.Rec;
import picocli.CommandLine;

/**
 * Defect 12 of issue 10: the JVM decodes arguments and paths with the locale's charset,
 * so under cron's C locale a snapback or image path with non-ASCII bytes turned into '?'
 * (an internal error). The launcher runs the JVM in a UTF-8 locale whatever the caller's;
 * run without it, an argument that did not decode is one clear usage line.
 */
class LauncherLocaleTest {
    @TempDir
    Path dir;

    private record Result(int code, String err) {
    }

    /** scripts/lvmsync beside a target/lvmsync.jar whose manifest points at the compiled classes. */
    private Path launcher() throws IOException, URISyntaxException {
        Path scripts = Files.createDirectories(dir.resolve("checkout/scripts"));
        Path script = Files.copy(Path.of("scripts", "lvmsync"), scripts.resolve("lvmsync"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path picocli = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, classes.toUri() + " " + picocli.toUri());
        Path jar = Files.createDirectories(dir.resolve("checkout/target")).resolve("lvmsync.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            // the manifest is all it needs
        }
        return script;
    }

    /** {@code command} under the C locale, as cron runs it. */
    private Result underTheCLocale(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_"));
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path err = dir.resolve("err");
        pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not finish");
        return new Result(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
    }

    private Path stream(Path at) throws IOException {
        return Files.write(at, FaultSweepTest.encode(List.of(new Rec(4096, new byte[] {'h', 'i'}))));
    }

    @Test
    void nonAsciiPathsWorkThroughTheLauncherUnderTheCLocale() throws Exception {
        Path place = Files.createDirectories(dir.resolve("sauvegardes-\u00e9t\u00e9"));
        Path img = Files.write(place.resolve("disque-\u00fc\u00df.img"), new byte[8192]);
        Path changes = stream(place.resolve("\u00e4nderungen"));
        Path undo = place.resolve("r\u00fcckg\u00e4ngig \u2192 1");
        List<String> command = List.of(launcher().toString(), "--apply", changes.toString(), "--snapback",
                undo.toString(), img.toString());
        Result r = underTheCLocale(command);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("Applied 1 record (2 bytes) to " + img), r.err());
        assertEquals('h', Files.readAllBytes(img)[4096]);
        assertTrue(Files.exists(undo), "the snapback file under its own name");
    }

    @Test
    void withoutTheLauncherAnUndecodableArgumentIsOneClearLine() throws Exception {
        Path img = Files.write(dir.resolve("disque-\u00e9.img"), new byte[8192]);
        Path changes = stream(dir.resolve("changes"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--apply", changes.toString(), img.toString()));
        Result r = underTheCLocale(command);
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("lvmsync: argument 3 (") && lines.get(0).endsWith(") holds bytes that are not"
                + " valid ANSI_X3.4-1968, the character set of this locale; run lvmsync through its launcher, which"
                + " uses a UTF-8 locale, or set LC_ALL=C.UTF-8"), lines.get(0));
    }

    @Test
    void argumentsThatDecodedPass() {
        assertNull(Main.undecodable("--apply", "\u00e4nderungen", "/dev/vg/lv"));
        assertTrue(Main.undecodable("ok", "caf\uFFFD").startsWith("argument 2 (caf\uFFFD) holds bytes"));
    }
}
