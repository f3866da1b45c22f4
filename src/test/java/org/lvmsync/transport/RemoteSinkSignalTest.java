package org.lvmsync.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.cli.Main;

/**
 * Defect 7 of issue 10: a sending lvmsync stopped by SIGTERM never ran RemoteSink.close,
 * the pipe closed at exit on a record boundary, and the remote applied the prefix and
 * exited 0 — its own log said success. Here a sending JVM is killed with SIGTERM after
 * whole records went out; the remote (this build's receiver in a second JVM, behind a
 * fake ssh that keeps its exit status) must fail.
 */
class RemoteSinkSignalTest {
    @TempDir
    Path dir;

    private Path executable(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    @Test
    void aSignalledSenderMakesTheRemoteFailInsteadOfApplyingAPrefix() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("java.class.path");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        executable("bin/lvmsync", "exec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '" + classpath + "' "
                + Main.class.getName() + " \"$@\"\n");
        Path status = dir.resolve("status");
        Path remoteLog = dir.resolve("remote.log");
        // like sshd: runs the command through sh; unlike ssh, it outlives the sender to tell its status
        Path ssh = executable("fake-ssh", "shift\nPATH='" + bin + "':\"$PATH\" sh -c \"$*\" 2> '" + remoteLog + "'\n"
                + "echo $? > '" + status + "'.tmp && mv '" + status + "'.tmp '" + status + "'\n");
        Path dest = Files.write(dir.resolve("dest.img"), new byte[1 << 20]);
        List<String> argv = RemoteCommand.argv(List.of(ssh.toString()), "dst",
                RemoteCommand.remoteWords(dest.toString(), Optional.empty(), false, false, false));

        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                RemoteSendProbe.class.getName(), "100"));   // 400 KiB: more than the encoder's 256 KiB buffer
        command.addAll(argv);
        Process sender = new ProcessBuilder(command).redirectError(dir.resolve("sender.log").toFile()).start();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(sender.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("sent", out.readLine(), () -> log("sender.log"));
        }
        sender.destroy();   // SIGTERM
        assertTrue(sender.waitFor(60, TimeUnit.SECONDS), "the sender did not exit");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(status) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(status), "the remote did not end");
        String remote = log("remote.log");
        assertEquals("3", Files.readString(status).strip(), "the remote's exit status; it said:\n" + remote);
        assertTrue(remote.contains("lvmsync: corrupt change stream stdin"), remote);
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(no " + name + ")";
        }
    }
}
