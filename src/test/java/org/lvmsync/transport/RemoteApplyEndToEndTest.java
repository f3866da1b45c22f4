package org.lvmsync.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.Log;
import org.lvmsync.cli.Main;
import org.lvmsync.changes.RunList;
import org.lvmsync.job.SendJob;
import org.lvmsync.sync.TestFiles;

/**
 * The whole remote path without sshd: sender -> RemoteSink -> a fake ssh -> this build's
 * own {@code lvmsync --apply - --snapback F dest} in a second JVM; then the snapback file
 * applied locally must give back the destination as it was.
 */
class RemoteApplyEndToEndTest {
    private static final int SIZE = 8 << 20;

    @TempDir
    Path dir;

    private Path executable(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    @Test
    void changesArriveAndSnapbackUndoesThem() throws Exception {
        byte[] origin = TestFiles.random(SIZE, 11);
        byte[] before = TestFiles.random(SIZE, 22);
        Path source = TestFiles.file("e2e-origin", origin);
        Path dest = TestFiles.file("e2e-dest", before);
        Path snapback = dir.resolve("undo file");
        try {
            RunList.Builder builder = RunList.builder(4096);
            for (long chunk : new long[] {0, 1, 2, 77, 78, 500, 1024, 1025, 2047}) {
                builder.add(chunk);
            }
            RunList runs = builder.build();

            String java = ProcessHandle.current().info().command().orElse("java");
            Path bin = Files.createDirectories(dir.resolve("bin"));
            executable(bin.resolve("lvmsync"), "exec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                    + System.getProperty("java.class.path") + "' " + Main.class.getName() + " \"$@\"\n");
            Path ssh = executable(dir.resolve("fake-ssh"), "shift\nPATH='" + bin + "':\"$PATH\" exec sh -c \"$*\"\n");

            List<String> argv = RemoteCommand.argv(List.of(ssh.toString()), "dst",
                    RemoteCommand.remoteWords(dest.toString(), Optional.of(snapback), true, false, false));
            ByteArrayOutputStream messages = new ByteArrayOutputStream();
            PrintStream saved = Log.stream();
            Log.setStream(new PrintStream(messages, true, StandardCharsets.UTF_8));
            long sent;
            try (RemoteSink sink = RemoteSink.start(argv, "dst:" + dest)) {
                sent = org.lvmsync.job.SendJob.send(runs, source, sink);
            } finally {
                Log.setStream(saved);
            }
            assertEquals(runs.totalBytes(), sent);
            assertTrue(messages.toString(StandardCharsets.UTF_8).contains("remote: "), messages.toString(StandardCharsets.UTF_8));

            byte[] expected = before.clone();
            runs.forEach((offset, length) -> System.arraycopy(origin, (int) offset, expected, (int) offset, (int) length));
            assertArrayEquals(expected, Files.readAllBytes(dest), "destination after the remote apply");

            assertEquals(0, Main.execute("--apply", snapback.toString(), dest.toString()));
            assertArrayEquals(before, Files.readAllBytes(dest), "destination after applying the snapback");
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(dest);
        }
    }
}
