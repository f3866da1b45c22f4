package org.lvmsync.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;

/**
 * RemoteSink against a stand-in for ssh: a script that drops the host and runs the rest
 * through {@code sh -c} the way sshd hands a command to the user's shell, with a fake
 * {@code lvmsync} first in its PATH.
 */
class RemoteSinkTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream messages = new ByteArrayOutputStream();
    private PrintStream savedStream;

    @BeforeEach
    void captureMessages() {
        savedStream = Log.stream();
        Log.setStream(new PrintStream(messages, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        Log.setStream(savedStream);
    }

    private Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** The fake ssh and a fake remote lvmsync running {@code body}. */
    private List<String> rsh(String lvmsyncBody) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        script("bin/lvmsync", lvmsyncBody);
        Path ssh = script("fake-ssh", "host=\"$1\"; shift\necho \"connected to $host\" >&2\n"
                + "PATH='" + bin + "':\"$PATH\" exec sh -c \"$*\"\n");
        return List.of(ssh.toString());
    }

    private static List<String> argv(List<String> rsh, String destination, Optional<Path> snapback) {
        return RemoteCommand.argv(rsh, "dst.example",
                RemoteCommand.remoteWords(destination, snapback, false, false, false));
    }

    @Test
    void streamArgumentsAndRemoteMessagesArriveIntact() throws Exception {
        Path args = dir.resolve("args");
        Path stream = dir.resolve("stream");
        List<String> rsh = rsh("printf '%s\\n' \"$@\" > '" + args + "'\ncat > '" + stream + "'\n"
                + "echo 'applied 2 records' >&2\necho 'on stdout too'\nexit 0\n");
        String evilDest = "/dev/vg/x'; touch '" + dir.resolve("pwned") + "'; echo '";
        try (RemoteSink sink = RemoteSink.start(argv(rsh, evilDest, Optional.of(Path.of("/var/my snap"))), "dst.example:x")) {
            sink.data(8192, MemorySegment.ofArray(new byte[] {1, 2, 3}));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment big = arena.allocate(3 << 20, 4096).fill((byte) 0x77);
                sink.data(1L << 32, big);
            }
            sink.finish();
        }
        assertEquals(List.of("--apply", "-", "--snapback", "/var/my snap", "--", evilDest), Files.readAllLines(args));
        assertFalse(Files.exists(dir.resolve("pwned")), "the destination name ran as a command");
        byte[] got = Files.readAllBytes(stream);
        ByteBuffer expected = ByteBuffer.allocate(17 + 15 + 12 + (3 << 20));
        expected.put("lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII));
        expected.putLong(8192).putInt(3).put(new byte[] {1, 2, 3});
        expected.putLong(1L << 32).putInt(3 << 20);
        while (expected.hasRemaining()) {
            expected.put((byte) 0x77);
        }
        assertArrayEquals(expected.array(), got);
        String out = messages.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("remote: connected to dst.example\n"), out);
        assertTrue(out.contains("remote: applied 2 records\n"), out);
        assertTrue(out.contains("remote: on stdout too\n"), out);
    }

    /**
     * Defects 9 and 10 of issue 10, over the fake ssh: {@code host:~/vm.img} reaches the
     * remote expanded by its shell (with the snapback file's {@code ~}), and a destination
     * starting with '-' comes after {@code --}, where no option parser takes it for an option.
     */
    @Test
    void homeDirectoriesExpandRemotelyAndDashedNamesStayNames() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path args = dir.resolve("args");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        script("bin/lvmsync", "printf '%s\\n' \"$@\" > '" + args + "'\ncat > /dev/null\n");
        Path ssh = script("home-ssh", "shift\ncd '" + home + "' && HOME='" + home + "' PATH='" + bin
                + "':\"$PATH\" exec sh -c \"$*\"\n");
        for (String[] c : new String[][] {{"~/vm.img", home + "/vm.img"}, {"~/my vm.img", home + "/my vm.img"},
            {"-vm.img", "-vm.img"}}) {
            List<String> argv = RemoteCommand.argv(List.of(ssh.toString()), "dst",
                    RemoteCommand.remoteWords(c[0], Optional.of(Path.of("~/undo")), false, false, false));
            try (RemoteSink sink = RemoteSink.start(argv, "dst:" + c[0])) {
                sink.data(0, MemorySegment.ofArray(new byte[] {1}));
                sink.finish();
            }
            assertEquals(List.of("--apply", "-", "--snapback", home + "/undo", "--", c[1]), Files.readAllLines(args), c[0]);
        }
    }

    @Test
    void theReceiverAnswersOnItsOwnChannelApartFromItsMessages() throws Exception {
        Path stream = dir.resolve("stream");
        // the receiver speaks first (as one that says where to resume would), then reads the
        // whole stream, then answers again; its stderr is relayed, never mixed into answers
        List<String> rsh = rsh("echo 'ready'\necho 'a message' >&2\ncat > '" + stream + "'\n"
                + "echo \"got $(wc -c < '" + stream + "')\"\n");
        try (RemoteSink sink = RemoteSink.start(argv(rsh, "/dev/vg/lv", Optional.empty()), "h:/dev/vg/lv")) {
            java.io.BufferedReader answers = new java.io.BufferedReader(
                    new java.io.InputStreamReader(sink.replies(), StandardCharsets.US_ASCII));
            assertEquals("ready", answers.readLine(), "an answer before any data was sent");
            sink.data(4096, MemorySegment.ofArray(new byte[100]));
            sink.finish();
            assertEquals("got " + (17 + 12 + 100), answers.readLine(), "an answer after the stream ended");
            assertEquals(null, answers.readLine(), "the channel ends when the remote exits");
        }
        String out = messages.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("remote: a message\n"), out);
        assertFalse(out.contains("ready") || out.contains("got "), "answers that were read are not relayed: " + out);
    }

    @Test
    void failingRemoteFailsTheRun() throws Exception {
        List<String> rsh = rsh("cat > /dev/null\necho 'lvmsync: cannot open /dev/vg/lv' >&2\nexit 3\n");
        try (RemoteSink sink = RemoteSink.start(argv(rsh, "/dev/vg/lv", Optional.empty()), "dst.example:/dev/vg/lv")) {
            sink.data(0, MemorySegment.ofArray(new byte[4096]));
            LvmsyncException e = assertThrows(LvmsyncException.class, sink::finish);
            assertEquals(FailureClass.REMOTE, e.failureClass());
            assertTrue(e.getMessage().contains("exit status 3"), e.getMessage());
            assertTrue(e.getMessage().contains("dst.example:/dev/vg/lv"), e.getMessage());
        }
        assertTrue(messages.toString(StandardCharsets.UTF_8).contains("remote: lvmsync: cannot open /dev/vg/lv"));
    }

    @Test
    void remoteThatStopsReadingIsABrokenPipe() throws Exception {
        List<String> rsh = rsh("echo 'lvmsync: refusing' >&2\nexit 5\n");
        try (RemoteSink sink = RemoteSink.start(argv(rsh, "/dev/vg/lv", Optional.empty()), "dst.example:/dev/vg/lv");
             Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(1 << 20, 4096);
            LvmsyncException e = assertThrows(LvmsyncException.class, () -> {
                for (int i = 0; i < 64; i++) {
                    sink.data((long) i << 20, chunk);
                }
                sink.finish();
            });
            assertEquals(FailureClass.REMOTE, e.failureClass());
            assertTrue(e.getMessage().contains("exit status 5"), e.getMessage());
        }
    }

    @Test
    void missingRemoteCommandGetsAHint() throws Exception {
        Path ssh = script("bare-ssh", "shift\nPATH=/nonexistent exec /bin/sh -c \"$*\"\n");
        try (RemoteSink sink = RemoteSink.start(argv(List.of(ssh.toString()), "/dev/vg/lv", Optional.empty()), "h:/dev/vg/lv")) {
            LvmsyncException e = assertThrows(LvmsyncException.class, sink::finish);
            assertTrue(e.getMessage().contains("127") && e.getMessage().contains("installed"), e.getMessage());
        }
    }

    @Test
    void missingRemoteShellIsAClearError() {
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> RemoteSink.start(
                argv(List.of(dir.resolve("no-such-ssh").toString()), "/dev/vg/lv", Optional.empty()), "h:/dev/vg/lv"));
        assertEquals(FailureClass.REMOTE, e.failureClass());
        assertTrue(e.getMessage().contains("--rsh"), e.getMessage());
    }

    @Test
    void closeWithoutFinishStopsTheRemote() throws Exception {
        List<String> rsh = rsh("exec sleep 30\n");
        RemoteSink sink = RemoteSink.start(argv(rsh, "/dev/vg/lv", Optional.empty()), "h:/dev/vg/lv");
        sink.data(0, MemorySegment.ofArray(new byte[10]));
        sink.close(); // returns once the remote is gone, not after 30 s
        assertFalse(sink.pipeWriteEnd().isOpen(), "an aborted sink closes its pipe too");
    }

    @Test
    void remoteReadsTheSinksOwnPipeAndOnlyTheRemoteHoldsItsReadEnd() throws Exception {
        Path seen = dir.resolve("stdin-link");
        List<String> rsh = rsh("readlink /proc/self/fd/0 > '" + seen + "'\ncat > /dev/null\n");
        try (RemoteSink sink = RemoteSink.start(argv(rsh, "/dev/vg/lv", Optional.empty()), "h:/dev/vg/lv")) {
            String ours = Files.readSymbolicLink(Path.of("/proc/self/fd/" + sink.pipeWriteEnd().raw())).toString();
            assertTrue(ours.startsWith("pipe:["), ours);
            assertEquals(1, descriptorsOf(ours), "only our write end may refer to the pipe in this process");
            try (Arena arena = Arena.ofConfined()) {
                sink.data(0, arena.allocate(1 << 20, 4096));
            }
            sink.finish();
            assertEquals(ours, Files.readString(seen).trim(), "the remote shell's stdin is our pipe");
            assertFalse(sink.pipeWriteEnd().isOpen(), "finish closes the pipe");
        }
    }

    /** How many descriptors of this process point at {@code target} (e.g. "pipe:[1234]"). */
    private static long descriptorsOf(String target) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(target);
                } catch (IOException gone) {
                    return false; // closed meanwhile by another thread
                }
            }).count();
        }
    }
}
