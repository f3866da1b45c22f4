package org.lvmsync.kernel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lvmsync SNAP root@127.0.0.1:DEST} over a real ssh: an sshd of our own on the
 * guest's loopback (throw-away host and client keys, its own config), and the remote
 * command {@code lvmsync} found on the PATH as the launcher of this checkout. The sending
 * side runs in this JVM; the receiving side is a second JVM started by sshd.
 *
 * <p>It changes the guest system (loopback up, /run/sshd, /usr/local/bin/lvmsync), so it
 * runs only inside the throw-away qemu guest ({@code LVMSYNC_VM=1}).
 */
@Tag("kernel")
class RemoteSyncKernelTest {
    private static final String VG = "e2e.remote-vg";
    private static final int PORT = 2222;
    private static final String HOST = "root@127.0.0.1";
    private static LvmFixture lvm;
    private static Path dir;
    private static Process sshd;
    private static String rsh;

    @BeforeAll
    static void start() throws Exception {
        if (!"1".equals(System.getenv("LVMSYNC_VM"))) {
            throw new AssertionError("starts an sshd and edits /usr/local/bin: runs only in the qemu guest (scripts/test)");
        }
        lvm = LvmFixture.create(VG);
        dir = Files.createTempDirectory("lvmsync-sshd");
        Commands.run("ip", "link", "set", "lo", "up");
        Commands.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        Commands.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        Files.createDirectories(Path.of("/run/sshd"));
        Path link = Path.of("/usr/local/bin/lvmsync");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Lvmsync.LAUNCHER);
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + PORT,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_key"),
                "PermitRootLogin prohibit-password",
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "PidFile " + dir.resolve("sshd.pid"),
                // the remote launcher picks the JDK running these tests, with the harness's
                // JVM options (its -XX:ErrorFile= among them: a crash there is found too)
                "SetEnv JAVA_HOME=" + Path.of(System.getProperty("java.home"))
                        + " \"LVMSYNC_JAVA_OPTS=" + System.getenv().getOrDefault("LVMSYNC_JAVA_OPTS", "") + "\""
                        + xdgCacheHome(),
                ""));
        sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile())
                .start();
        awaitListening();
        rsh = "ssh -F /dev/null -p " + PORT + " -i " + dir.resolve("client_key")
                + " -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR";
    }

    /** The harness's CDS archive directory for the remote launcher too (scripts/vm/kernel-tests). */
    private static String xdgCacheHome() {
        String dir = System.getenv("XDG_CACHE_HOME");
        return dir == null || dir.isBlank() ? "" : " XDG_CACHE_HOME=" + dir;
    }

    /** sshd is up once it accepts a connection; a dead sshd fails at once with its log. */
    private static void awaitListening() throws Exception {
        for (int i = 0; i < 600; i++) {
            if (!sshd.isAlive()) {
                throw new AssertionError("sshd exited with " + sshd.exitValue() + ": "
                        + Files.readString(dir.resolve("sshd.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", PORT), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("sshd does not accept connections on port " + PORT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            if (!sshd.waitFor(10, TimeUnit.SECONDS)) {
                sshd.destroyForcibly();
            }
            System.err.print(("sshd log:\n" + Files.readString(dir.resolve("sshd.log"))).indent(4));
        }
        if (lvm != null) {
            lvm.close();
        }
    }

    @Test
    void syncOverSshWithRemoteSnapbackThenRollback() throws IOException {
        SyncScenario s = SyncScenario.prepare(lvm, "data.r1-a", "copy.r1-a", 32, 4, 8);
        assertFalse(Devices.sameBytes(s.originPath(), s.destinationPath()));
        Path undo = dir.resolve("copy.r1-a.snapback");

        Lvmsync.Run run = Lvmsync.inProcess("-v", "--rsh", rsh, "--snapback", undo.toString(),
                lvm.path(s.snapshot).toString(), HOST + ":" + s.destinationPath());

        run.assertStatus(0);
        Devices.assertSameBytes(s.originPath(), s.destinationPath());
        assertEquals(s.expectedBytes(), run.transferredBytes(), "bytes sent = the changed chunks");
        List<String> remote = run.lines("remote: ");
        assertTrue(remote.stream().anyMatch(l -> l.contains("(" + s.expectedBytes() + " bytes)")),
                "the remote apply's summary, relayed: " + remote);

        // the snapback file was written on the remote side (the same guest here)
        List<long[]> saved = ChangeStream.records(Files.readAllBytes(undo));
        ChangeStream.assertSameRanges(s.expectedRuns(), ChangeStream.coalesce(saved));
        Lvmsync.inProcess("--apply", undo.toString(), s.destinationPath().toString()).assertStatus(0);
        Devices.assertSameBytes(lvm.path(s.snapshot), s.destinationPath());
    }

    @Test
    void remoteFailureFailsTheLocalRunWithExitFour() {
        SyncScenario s = SyncScenario.prepare(lvm, "data.r2-b", "copy.r2-b", 16, 4, 4);
        String missing = "/dev/" + VG + "/no-such.lv";

        Lvmsync.Run run = Lvmsync.inProcess("--rsh", rsh, s.snapshotVgLv(), HOST + ":" + missing);

        run.assertStatus(4);
        assertTrue(run.lines("remote: ").stream().anyMatch(l -> l.contains(missing)),
                "the remote's own error, relayed:\n" + run.stderr());
        List<String> local = run.lines("lvmsync: ");
        assertEquals(1, local.size(), "one local error line:\n" + run.stderr());
        assertTrue(local.get(0).contains(HOST + ":" + missing) && local.get(0).contains("exit status"),
                local.get(0));
    }
}
