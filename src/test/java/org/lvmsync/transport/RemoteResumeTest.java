package org.lvmsync.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.changes.RunList;
import org.lvmsync.cli.Main;
import org.lvmsync.job.SendJob;
import org.lvmsync.job.StreamIdentities;
import org.lvmsync.stream.ResumeAnswer;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.sync.TestFiles;

/**
 * --resume over the channel back, against a fake ssh and this build's receiver in a second
 * JVM. A first sync is cut off after 10 MB (the remote's stdin ends: it applies what came
 * whole, records how far, and fails as cut short); then the same sync with --resume. A
 * receiver that answers with its journal lets the sender skip what it holds; one whose
 * answer is garbage, about another stream (stale) or forged past the changes makes the
 * sender send everything, saying why. Every variant ends with the destination identical.
 */
class RemoteResumeTest {
    private static final int SIZE = 16 << 20;
    private static final long CUT = 10_000_000;

    @TempDir
    Path dir;

    private Path executable(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** {@code bin/lvmsync}: prints {@code first} (a forged answer, garbage), then runs this build's receiver. */
    private Path receiver(String name, String first, Path state) throws IOException {
        Path bin = Files.createDirectories(dir.resolve(name));
        String java = ProcessHandle.current().info().command().orElse("java");
        executable(bin.resolve("lvmsync"), (first == null ? "" : "printf '%s\\n' '" + first + "'\n")
                + "LVMSYNC_STATE_DIR='" + state + "' exec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' " + Main.class.getName() + " \"$@\"\n");
        return bin;
    }

    /** A fake ssh that runs the remote command with {@code bin} first in its PATH, its stdin cut after {@code cut} bytes. */
    private List<String> ssh(String name, Path bin, long cut) throws IOException {
        String feed = cut < 0 ? "" : "head -c " + cut + " | ";
        Path ssh = executable(dir.resolve(name), "shift\nPATH='" + bin + "':\"$PATH\" exec sh -c \"" + feed + "$*\"\n");
        return List.of(ssh.toString());
    }

    private record Sent(long dataBytes, long streamBytes, String said) {
    }

    private Sent sync(List<String> rsh, Path dest, RunList runs, Path source, StreamIdentity id, boolean resume)
            throws IOException {
        List<String> argv = RemoteCommand.argv(rsh, "dst", RemoteCommand.remoteWords(dest.toString(), Optional.empty(),
                false, false, false, resume ? List.of("--resume") : List.of()));
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        PrintStream saved = Log.stream();
        Log.setStream(new PrintStream(messages, true, StandardCharsets.UTF_8));
        try (RemoteSink sink = RemoteSink.start(argv, "dst:" + dest)) {
            long data = SendJob.send(runs, source, sink, id, resume ? SendJob.Resume.ASK : SendJob.Resume.NO);
            return new Sent(data, sink.streamBytes(), messages.toString(StandardCharsets.UTF_8));
        } finally {
            Log.setStream(saved);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    @Test
    void onlyAnAnswerThatFitsSkipsAnything() throws Exception {
        byte[] origin = TestFiles.random(SIZE, 31);
        Path source = TestFiles.file("remote-resume-origin", origin);
        Path dest = TestFiles.file("remote-resume-dest", new byte[SIZE]);
        try {
            RunList.Builder b = RunList.builder(65536);
            for (long u = 0; u < SIZE / 65536; u++) {
                b.add(u);
            }
            RunList runs = b.build();
            StreamIdentity id = StreamIdentities.forDevice("vg/lv-snap", SIZE, runs);

            // the interrupted sync: the remote gets 10 MB and applies the whole records among them
            Path cutState = dir.resolve("state-cut");
            LvmsyncException cut = assertThrows(LvmsyncException.class, () -> sync(ssh("ssh-cut",
                    receiver("bin-cut", null, cutState), CUT), dest, runs, source, id, false));
            assertEquals(FailureClass.REMOTE, cut.failureClass());
            byte[] afterCut = Files.readAllBytes(dest);

            record Variant(String name, String first, long wantedAtLeast, String said) {
            }
            List<Variant> variants = List.of(
                    new Variant("good", null, 0, "Resuming at byte "),
                    new Variant("garbage", "Welcome to dst!", SIZE, "is not understood ('Welcome to dst!')"),
                    new Variant("stale", ResumeAnswer.at(UUID.randomUUID(), 4 << 20).line(), SIZE, "belongs to stream"),
                    new Variant("forged", ResumeAnswer.at(id.streamId(), 32L << 20).line(), SIZE,
                            "is not a chunk boundary"));
            long resumedStream = 0;
            long fullStream = 0;
            for (Variant v : variants) {
                Files.write(dest, afterCut);
                Path state = dir.resolve("state-" + v.name());
                copyTree(cutState, state);
                Sent sent = sync(ssh("ssh-" + v.name(), receiver("bin-" + v.name(), v.first(), state), -1), dest, runs,
                        source, id, true);
                assertArrayEquals(origin, Files.readAllBytes(dest), v.name() + ": the destination ends identical");
                assertTrue(sent.said().contains(v.said()), v.name() + ": " + sent.said());
                assertTrue(sent.dataBytes() >= v.wantedAtLeast(), v.name() + ": sent " + sent.dataBytes());
                if (v.name().equals("good")) {
                    resumedStream = sent.streamBytes();
                    assertTrue(sent.dataBytes() <= SIZE - CUT + (1 << 20), "resumed: sent " + sent.dataBytes());
                } else {
                    fullStream = sent.streamBytes();
                }
            }
            System.out.println("remote resume: the resumed sync sent " + resumedStream + " stream bytes, one that"
                    + " starts over " + fullStream);
            assertTrue(resumedStream < fullStream * 0.5, "resumed " + resumedStream + " vs " + fullStream + " bytes");
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(dest);
        }
    }
}
