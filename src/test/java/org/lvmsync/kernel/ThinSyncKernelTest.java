package org.lvmsync.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvmsync.kernel.SyncScenario.KIB;
import static org.lvmsync.kernel.SyncScenario.MIB;

/**
 * Thin snapshots on real pools, end to end: the first copy with --full, writes and
 * discards on the origin, the sync, then --since increments, in every mode (in this JVM,
 * through --stdout and --apply, and to a remote --apply through a remote shell), with
 * data blocks of 64 KiB and 1 MiB; after every run, success or not, the pool holds no
 * metadata snapshot. Every VG, pool and LV name holds dashes and dots. One VG and two
 * pools serve all tests of the class.
 */
@Tag("kernel")
class ThinSyncKernelTest {
    private static final String VG = "e2e.thin-sync";
    private static final String POOL64 = "po.ol-64k";
    private static final String POOL1M = "po.ol-1m";
    private static LvmFixture lvm;

    @TempDir
    Path tmp;

    @BeforeAll
    static void createPools() {
        lvm = LvmFixture.create(VG);
        lvm.thinPool(POOL64, 256, 64);
        lvm.thinPool(POOL1M, 128, 1024);
    }

    @AfterAll
    static void removeGroup() {
        if (lvm != null) {
            lvm.close();
        }
    }

    private static String vgLv(String lv) {
        return VG + "/" + lv;
    }

    /** A thin volume holding the pattern only in {@code regions}: the rest stays unmapped. */
    private static Path sparseThin(String pool, String lv, long mib, long seed, long[]... regions) {
        Path path = lvm.thin(pool, lv, mib);
        write(lv, seed, regions);
        return path;
    }

    private static void write(String lv, long seed, long[]... regions) {
        for (long[] r : regions) {
            lvm.writePattern(lv, r[0], (int) r[1], seed);
        }
    }

    /**
     * scripts/lvmsync, which takes the harness's JVM options (C1 only, the fatal-error log
     * where JvmCrashes looks) from the LVMSYNC_JAVA_OPTS every process here inherits.
     */
    private static String launcher() {
        return ClassicSyncKernelTest.quote(Lvmsync.LAUNCHER);
    }

    @Test
    void fullCopySyncAndIncrementsReproduceEachSnapshot() throws IOException {
        String origin = "data.t1-a";
        sparseThin(POOL64, origin, 24, 31, new long[] {0, 256 * KIB}, new long[] {3 * MIB, 68 * KIB},
                new long[] {10 * MIB, 2 * MIB}, new long[] {24 * MIB - 64 * KIB, 64 * KIB});
        Path s1 = lvm.thinSnapshot(origin, origin + "-s1");
        Path copy = lvm.thin(POOL64, "copy.t1-a", 24);

        Lvmsync.Run full = Lvmsync.inProcess("-v", "--full", vgLv(origin + "-s1"), copy.toString());
        full.assertStatus(0);
        Devices.assertSameBytes(s1, copy);
        long mapped = ThinPools.mappedSectors(s1);
        assertEquals(mapped, ThinPools.mappedSectors(copy), "the copy stays thin: it maps what the snapshot maps");
        assertEquals(mapped * 512, full.transferredBytes(), "only the mapped blocks are sent");
        assertTrue(full.stderr().contains("unmapped blocks are skipped"), full.stderr());
        ThinPools.assertNoHeldRoot(lvm, POOL64, "--full");

        long[][] writes = {{0, 4 * KIB}, {5 * MIB, 4 * KIB}, {24 * MIB - 4 * KIB, 4 * KIB}};
        long[] discard = {10 * MIB, 128 * KIB};
        write(origin, 32, writes);
        lvm.discard(origin, discard[0], discard[1]);
        Lvmsync.Run sync = Lvmsync.inProcess("-v", "--verify", lvm.mapperPath(origin + "-s1").toString(),
                copy.toString());
        sync.assertStatus(0);
        assertTrue(sync.stderr().contains(": as written"), "--verify read every written range back:\n" + sync.stderr());
        Devices.assertSameBytes(lvm.path(origin), copy);
        assertEquals(ThinPools.blocks(64 * KIB, writes[0], writes[1], writes[2], discard).size() * 64 * KIB,
                sync.transferredBytes(), "the written and the discarded 64 KiB blocks");
        ThinPools.assertNoHeldRoot(lvm, POOL64, "a sync");

        // hourly: the copy now equals s2 (taken inactive, as LVM takes thin snapshots by default)
        lvm.lvm("lvcreate", "--quiet", "--yes", "--snapshot", "-n", origin + "-s2", vgLv(origin));
        write(origin, 33, new long[] {7 * MIB, 8 * KIB});
        lvm.discard(origin, 11 * MIB, 64 * KIB);
        Path s3 = lvm.thinSnapshot(origin, origin + "-s3");
        write(origin, 34, new long[] {1 * MIB, 4 * KIB});   // after s3: must not arrive with s3
        // but its record says it holds s1, which the last stream brought: that the origin stood still
        // until s2 was taken, the receiver cannot know, so the increment from s2 is refused, naming
        // both, with nothing written; --force takes it
        byte[] before = lvm.read("copy.t1-a", 0, (int) (24 * MIB));
        Lvmsync.Run refused = Lvmsync.inProcess("--since", vgLv(origin + "-s2"), s3.toString(), copy.toString());
        refused.assertRefused(7, "holds " + vgLv(origin + "-s1"));
        assertTrue(refused.stderr().contains("leads from " + vgLv(origin + "-s2")), refused.stderr());
        assertArrayEquals(before, lvm.read("copy.t1-a", 0, (int) (24 * MIB)), "nothing written");
        Lvmsync.Run inc = Lvmsync.inProcess("--force", "--since", vgLv(origin + "-s2"), s3.toString(),
                copy.toString());
        inc.assertStatus(0);
        Devices.assertSameBytes(s3, copy);
        assertEquals(2 * 64 * KIB, inc.transferredBytes());

        write(origin, 35, new long[] {16 * MIB, 2 * MIB});   // s4 also gets two whole 1 MiB records
        Path s4 = lvm.thinSnapshot(origin, origin + "-s4");
        Path stream = tmp.resolve("s3-s4");
        Lvmsync.Run restart = Lvmsync.shell(launcher() + " --stdout --since " + vgLv(origin + "-s3") + " "
                + vgLv(origin + "-s4") + " > " + ClassicSyncKernelTest.quote(stream));
        restart.assertStatus(0);
        byte[] whole = Files.readAllBytes(stream);
        List<long[]> records = ChangeStream.records(whole);
        ChangeStream.assertSameRanges(List.<long[]>of(new long[] {MIB, 64 * KIB}, new long[] {16 * MIB, 2 * MIB}),
                ChangeStream.coalesce(records));
        TrustChecks.resumeAfterACut(stream, whole, restart.transferredBytes(), copy, "--since", vgLv(origin + "-s3"),
                vgLv(origin + "-s4"));
        Devices.assertSameBytes(s4, copy);
        TrustChecks.verifyFindsADamagedBlock(stream, copy, 16 * MIB + 64 * KIB);
        ThinPools.assertNoHeldRoot(lvm, POOL64, "the increments");

        // a --full copy of another volume needs nothing of what the copy held: its record (the copy holds
        // s4) does not refuse it, and then says the copy holds the other volume's snapshot, so the first
        // volume's next increment is refused, naming both, with nothing written
        String other = "data.t1-b";
        sparseThin(POOL64, other, 8, 36, new long[] {2 * MIB, 128 * KIB});
        lvm.thinSnapshot(other, other + "-s1");
        Lvmsync.Run replaced = Lvmsync.inProcess("--verify", "--full", vgLv(other + "-s1"), copy.toString());
        replaced.assertStatus(0);
        assertFalse(replaced.stderr().contains("lvmsync:"), "no refusal, no warning:\n" + replaced.stderr());
        ThinPools.assertSameRange(lvm, other + "-s1", "copy.t1-a", 0, 8 * MIB);
        byte[] holdsOther = lvm.read("copy.t1-a", 0, (int) (24 * MIB));
        Lvmsync.Run fromFirst = Lvmsync.inProcess("--since", vgLv(origin + "-s3"), s4.toString(), copy.toString());
        fromFirst.assertRefused(7, "holds " + vgLv(other + "-s1"));
        assertTrue(fromFirst.stderr().contains("leads from " + vgLv(origin + "-s3")), fromFirst.stderr());
        assertArrayEquals(holdsOther, lvm.read("copy.t1-a", 0, (int) (24 * MIB)), "nothing written");
        ThinPools.assertNoHeldRoot(lvm, POOL64, "a full copy of another volume");
    }

    @Test
    void oneMiBBlocksOntoADestinationThatIsNotBlank() {
        String origin = "data.t2-b";
        sparseThin(POOL1M, origin, 16, 41, new long[] {0, MIB}, new long[] {4 * MIB + 4 * KIB, 8 * KIB},
                new long[] {12 * MIB, 3 * MIB});
        Path s1 = lvm.thinSnapshot(origin, origin + "-s1");
        Path copy = lvm.linear("copy.t2-b", 16);
        lvm.fill("copy.t2-b", 77);

        // named by its /dev/dm-N node (device-mapper's minor number names it)
        String node = "/dev/dm-" + Commands.run("dmsetup", "info", "-c", "--noheadings", "-o", "minor",
                lvm.mapperPath(origin + "-s1").toString()).trim();
        assertTrue(Files.exists(Path.of(node)), node);
        Lvmsync.Run full = Lvmsync.inProcess("-v", "--full", node, copy.toString());
        full.assertStatus(0);
        assertTrue(full.stderr().contains("unmapped blocks are zeroed"), full.stderr());
        Devices.assertSameBytes(s1, copy);
        assertEquals(ThinPools.mappedSectors(s1) * 512, full.transferredBytes());

        long[][] writes = {{2 * MIB + 512 * KIB, 4 * KIB}, {12 * MIB + 100 * KIB, 4 * KIB}};
        write(origin, 42, writes);
        lvm.discard(origin, 13 * MIB, MIB);
        Lvmsync.Run sync = Lvmsync.inProcess(vgLv(origin + "-s1"), copy.toString());
        sync.assertStatus(0);
        Devices.assertSameBytes(lvm.path(origin), copy);
        assertEquals(3 * MIB, sync.transferredBytes(), "two written 1 MiB blocks and a discarded one");
        ThinPools.assertNoHeldRoot(lvm, POOL1M, "syncs with 1 MiB blocks");
    }

    /**
     * A remote shell that runs the remote command here, with this checkout's launcher as
     * lvmsync (and the harness's JVM options, inherited).
     */
    private Path fakeSsh() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.deleteIfExists(bin.resolve("lvmsync"));
        Files.createSymbolicLink(bin.resolve("lvmsync"), Lvmsync.LAUNCHER);
        return executable(tmp.resolve("fake-ssh"), "shift\nPATH='" + bin + "':\"$PATH\" exec sh -c \"$*\"\n");
    }

    private static Path executable(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    @Test
    void remoteFullCopyStaysThinAndARemoteThatDiesLeavesNothingHeld() throws IOException {
        String origin = "data.t3-c";
        sparseThin(POOL64, origin, 16, 51, new long[] {MIB, 512 * KIB}, new long[] {9 * MIB, 64 * KIB});
        Path s1 = lvm.thinSnapshot(origin, origin + "-s1");
        Path copy = lvm.thin(POOL64, "copy.t3-c", 16);

        Lvmsync.Run full = Lvmsync.inProcess("-v", "--rsh", fakeSsh().toString(), "--full", vgLv(origin + "-s1"),
                "dst.host:" + copy);
        full.assertStatus(0);
        Devices.assertSameBytes(s1, copy);
        assertEquals(ThinPools.mappedSectors(s1), ThinPools.mappedSectors(copy), "the remote copy stays thin");
        assertTrue(full.lines("remote: ").stream().anyMatch(l -> l.contains("skipped, the destination is a blank thin")),
                full.stderr());

        write(origin, 52, new long[] {0, 4 * MIB});   // more than a pipe holds
        Path dying = executable(tmp.resolve("dying-ssh"), "head -c 1000 > /dev/null\necho 'cut off' >&2\nexit 3\n");
        Lvmsync.Run cut = Lvmsync.inProcess("--rsh", dying.toString(), vgLv(origin + "-s1"), "dst.host:" + copy);
        cut.assertStatus(4);
        assertEquals(1, cut.lines("lvmsync: ").size(), cut.stderr());
        ThinPools.assertNoHeldRoot(lvm, POOL64, "a remote side that died");

        write(origin, 53, new long[] {12 * MIB, 4 * KIB});   // past the end of the small destination
        Path small = lvm.linear("small.t3-c", 4);
        Lvmsync.Run tooSmall = Lvmsync.inProcess(vgLv(origin + "-s1"), small.toString());
        assertTrue(tooSmall.status() != 0, tooSmall.stderr());
        ThinPools.assertNoHeldRoot(lvm, POOL64, "a failed sync");
    }

    @Test
    void signalsLeaveNothingHeld() throws Exception {
        String origin = "data.t4-d";
        sparseThin(POOL64, origin, 16, 61, new long[] {0, 12 * MIB});
        lvm.thinSnapshot(origin, origin + "-s1");

        // SIGTERM in mid-transfer: the stream is read a little, then the sender is stopped
        JvmCrashes crashes = JvmCrashes.watch();
        ProcessBuilder pb = new ProcessBuilder(Lvmsync.LAUNCHER.toString(), "--stdout", "--full", vgLv(origin + "-s1"))
                .redirectError(tmp.resolve("term.err").toFile());
        Process p = pb.start();
        try (InputStream in = p.getInputStream()) {
            int started = in.readNBytes(256 * 1024).length;
            if (started < 256 * 1024) {   // it ended early: a crash says so itself
                p.waitFor(120, TimeUnit.SECONDS);
                crashes.check("lvmsync --stdout --full");
            }
            assertEquals(256 * 1024, started, "the stream started");
            p.destroy();   // SIGTERM
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "lvmsync ended after SIGTERM");
        }
        String said = Files.readString(tmp.resolve("term.err"));
        crashes.check("lvmsync --stdout --full, stopped by SIGTERM");
        assertEquals(143, p.exitValue(), said);
        assertTrue(said.contains("lvmsync: interrupted"), said);
        ThinPools.assertNoHeldRoot(lvm, POOL64, "SIGTERM in mid-transfer");

        // while one is held: the shutdown hook releases it. SIGHUP here; SIGINT and SIGTERM take the same
        // way through the JVM (one handler for the three), and every JVM start costs 5-15 s in the guest.
        // The holder starts with default dispositions (a background job of a script inherits SIGINT ignored).
        for (String signal : List.of("HUP")) {
            List<String> java = new ArrayList<>(List.of("env", "--default-signal=INT,HUP,TERM",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            java.addAll(Lvmsync.harnessJvmOptions());
            java.addAll(List.of("-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                    "-cp", codeSource(HoldMetadataMain.class) + ":" + codeSource(org.lvmsync.thin.HeldMetadata.class),
                    HoldMetadataMain.class.getName(), ThinPools.poolTarget(lvm, POOL64)));
            Process holder = new ProcessBuilder(java).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            if (line == null) {   // it ended before it held one: a crash says so itself
                holder.waitFor(120, TimeUnit.SECONDS);
                crashes.check("HoldMetadataMain");
            }
            assertTrue(line != null && line.startsWith("held "), "the holder said: " + line);
            assertEquals(line.substring(5).trim(), ThinPools.heldRoot(lvm, POOL64), "held while it runs");
            Commands.run("kill", "-" + signal, Long.toString(holder.pid()));
            assertTrue(holder.waitFor(120, TimeUnit.SECONDS), "the holder ended after SIG" + signal);
            crashes.check("HoldMetadataMain, stopped by SIG" + signal);
            ThinPools.assertNoHeldRoot(lvm, POOL64, "SIG" + signal + " while held");
        }
    }

    /** Where a class was loaded from (the console launcher's class path is not java.class.path). */
    private static String codeSource(Class<?> c) throws java.net.URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void oneHeldBySomeoneElseIsRefusedAndLeftHeld() {
        String origin = "data.t5-e";
        sparseThin(POOL64, origin, 8, 71, new long[] {0, 64 * KIB});
        Path s1 = lvm.thinSnapshot(origin, origin + "-s1");
        Path copy = lvm.thin(POOL64, "copy.t5-e", 8);
        String pool = ThinPools.poolTarget(lvm, POOL64);
        Commands.run("dmsetup", "message", pool, "0", "reserve_metadata_snap");
        try {
            String held = ThinPools.heldRoot(lvm, POOL64);
            Lvmsync.inProcess(s1.toString(), copy.toString())
                    .assertRefused(1, "thin pool " + VG + "/" + POOL64 + " already has a metadata snapshot held");
            assertEquals(held, ThinPools.heldRoot(lvm, POOL64), "someone else's is left held");
        } finally {
            Commands.run("dmsetup", "message", pool, "0", "release_metadata_snap");
        }
    }

    @Test
    void anOriginGrownSinceTheSnapshotSendsItsWholeNewTail() {
        String origin = "data.t6-g";
        sparseThin(POOL64, origin, 16, 81, new long[] {0, MIB}, new long[] {8 * MIB, 64 * KIB});
        lvm.thinSnapshot(origin, origin + "-s1");
        Path copy = lvm.linear("copy.t6-g", 24);
        lvm.fill("copy.t6-g", 88);   // what was on the destination's tail before: must not survive
        Lvmsync.inProcess("--full", vgLv(origin + "-s1"), copy.toString()).assertStatus(0);

        lvm.lvm("lvextend", "--quiet", "--yes", "-L", "24m", vgLv(origin));
        write(origin, 82, new long[] {20 * MIB, 64 * KIB});
        Lvmsync.Run sync = Lvmsync.inProcess(vgLv(origin + "-s1"), copy.toString());
        sync.assertStatus(0);
        assertTrue(sync.stderr().contains("larger than " + VG + "/" + origin + "-s1") && sync.stderr().contains("grew"),
                sync.stderr());
        Devices.assertSameBytes(lvm.path(origin), copy);
        assertEquals(8 * MIB, sync.transferredBytes(), "the new 8 MiB, written or not");
    }

    @Test
    void anOriginShrunkSinceTheSnapshotSendsNothingPastItsEnd() {
        String origin = "data.t7-s";
        sparseThin(POOL64, origin, 16, 91, new long[] {0, MIB}, new long[] {12 * MIB, MIB});
        lvm.thinSnapshot(origin, origin + "-s1");
        Path copy = lvm.thin(POOL64, "copy.t7-s", 16);
        Lvmsync.inProcess("--full", vgLv(origin + "-s1"), copy.toString()).assertStatus(0);

        write(origin, 92, new long[] {MIB, 4 * KIB}, new long[] {13 * MIB, 4 * KIB});
        lvm.lvm("lvreduce", "--quiet", "--yes", "--force", "-L", "8m", vgLv(origin));
        Lvmsync.Run sync = Lvmsync.inProcess(vgLv(origin + "-s1"), copy.toString());
        sync.assertStatus(0);
        assertTrue(sync.stderr().contains("shrank; nothing past byte " + 8 * MIB + " is sent"), sync.stderr());
        ThinPools.assertSameRange(lvm, origin, "copy.t7-s", 0, 8 * MIB);
        ThinPools.assertSameRange(lvm, origin + "-s1", "copy.t7-s", 8 * MIB, 16 * MIB);
        assertEquals(64 * KIB, sync.transferredBytes(), "the one changed block inside the new size");
        assertFalse(sync.stderr().contains("Exception"), sync.stderr());
    }
}
