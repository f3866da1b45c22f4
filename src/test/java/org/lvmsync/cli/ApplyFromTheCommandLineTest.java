package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.cli.FaultSweepTest.Cli;
import org.lvmsync.cli.FaultSweepTest.Rec;
import org.lvmsync.testing.LoopDevice;

/** Defects 3 and 5 of issue 10, tried as a new user would: through the command line. */
class ApplyFromTheCommandLineTest {
    @TempDir
    Path dir;

    /**
     * Defect 3: a 1 MiB record straddling the end of a 7.5 MiB device under --skip-past-end
     * was skipped whole: exit 0, and the 512 KiB inside the device stayed stale.
     */
    @Test
    void skipPastEndWritesWhatLiesInside() throws Exception {
        long size = 15L << 19;   // 7.5 MiB
        try (LoopDevice loop = LoopDevice.attach("skip-past-end", size)) {
            byte[] data = new byte[1 << 20];
            new Random(3).nextBytes(data);
            long at = size - (512 << 10);
            Path stream = Files.write(dir.resolve("changes"), FaultSweepTest.encode(List.of(new Rec(at, data))));
            Cli.Result r = Cli.run("--apply", stream.toString(), "--skip-past-end", loop.device().toString());
            assertEquals(0, r.status(), r.stderr());
            byte[] device = Files.readAllBytes(loop.backingFile());
            assertArrayEquals(Arrays.copyOf(data, 512 << 10), Arrays.copyOfRange(device, (int) at, (int) size));
            assertTrue(r.stderr().contains("writing its 524288 bytes inside, skipping the 524288 past the end"),
                    r.stderr());
        }
    }

    /**
     * Defect 5: two 4 KiB records with little-endian offsets 64 KiB and 128 KiB (lvmsync
     * 3.0.x) were applied at 1 TiB and 2 TiB: exit 0, and a 1 MiB image grew to 2 TiB.
     */
    @Test
    void aLittleEndianStreamIsRefused() throws IOException {
        byte[] original = new byte[1 << 20];
        new Random(4).nextBytes(original);
        Path img = Files.write(dir.resolve("disk.img"), original);
        byte[] stream = FaultSweepTest.encode(List.of(new Rec(Long.reverseBytes(65536), new byte[4096]),
                new Rec(Long.reverseBytes(131072), new byte[4096])));
        Path changes = Files.write(dir.resolve("changes"), stream);
        Cli.Result r = Cli.run("--apply", changes.toString(), img.toString());
        assertEquals(3, r.status(), r.stderr());
        assertEquals(1 << 20, Files.size(img));
        assertArrayEquals(original, Files.readAllBytes(img));
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), r.stderr());
        assertTrue(lines.get(0).startsWith("lvmsync: change stream " + changes + ", record 1 at stream byte 17:"
                + " record at offset 1099511627776 (length 4096) lies past the end of " + img), lines.get(0));
        assertTrue(lines.get(0).contains("this is a stream of lvmsync 3.0.x, which wrote offsets little-endian"),
                lines.get(0));
    }
    /**
     * The remote half of a full copy of a thin snapshot: {@code --apply - --zero-fill SIZE
     * -- DEST} as the sender's remote command spells it (the option before the '--'); what
     * no record covered reads as zeros afterwards.
     */
    @Test
    void zeroFillAsTheRemoteCommandSpellsIt() throws IOException {
        byte[] stale = new byte[64 << 10];
        Arrays.fill(stale, (byte) 0xff);
        Path img = Files.write(dir.resolve("copy.img"), stale);
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0xab);
        Path changes = Files.write(dir.resolve("full"), FaultSweepTest.encode(List.of(new Rec(8192, data))));
        Cli.Result r = Cli.run("--apply", changes.toString(), "--zero-fill", Integer.toString(64 << 10), "--",
                img.toString());
        assertEquals(0, r.status(), r.stderr());
        byte[] expected = new byte[64 << 10];
        System.arraycopy(data, 0, expected, 8192, data.length);
        assertArrayEquals(expected, Files.readAllBytes(img));
    }
}
