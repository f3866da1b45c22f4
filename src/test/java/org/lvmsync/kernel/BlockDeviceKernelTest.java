package org.lvmsync.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.Fd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** org.lvmsync.os.Fd on a real LVM volume (device-mapper linear target). */
@Tag("kernel")
class BlockDeviceKernelTest {
    private static final String LV = "data-1.lv";
    private static final long MIB = 1 << 20;
    private static final long SEED = 0x1f2e3d4c5b6a7988L;
    private static LvmFixture lvm;

    @BeforeAll
    static void createVolume() {
        lvm = LvmFixture.create("lvmsync-k.block");
        lvm.linear(LV, 12);
        lvm.fill(LV, SEED);
    }

    @AfterAll
    static void removeVolume() {
        if (lvm != null) {
            lvm.close();
        }
    }

    @Test
    void sizeIsWhatBlockdevReports() throws Exception {
        long expected = Long.parseLong(Commands.run("blockdev", "--getsize64", lvm.path(LV).toString()).trim());
        assertEquals(12 * MIB, expected);
        for (Path p : new Path[] {lvm.path(LV), lvm.mapperPath(LV)}) {
            try (Fd fd = Fd.open(p, Fd.O_RDONLY)) {
                assertTrue(fd.stat().isBlockDevice(), p + " is a block device");
                assertEquals(expected, fd.size(), "BLKGETSIZE64 of " + p);
            }
        }
    }

    /** The engines tell whether the device seeks as sysfs says, and the sender's read gap follows it. */
    @Test
    void enginesSayWhetherTheLvSeeksAsSysfsDoes() throws Exception {
        try (Fd fd = Fd.open(lvm.path(LV), Fd.O_RDONLY)) {
            var st = fd.stat();
            String sysfs = java.nio.file.Files.readString(Path.of("/sys/dev/block/" + st.rdev() + "/queue/rotational")).strip();
            for (org.lvmsync.io.IoEngines.Kind kind : new org.lvmsync.io.IoEngines.Kind[] {
                    org.lvmsync.io.IoEngines.Kind.PREAD, org.lvmsync.io.IoEngines.Kind.AUTO}) {
                try (org.lvmsync.io.IoEngine engine = org.lvmsync.io.IoEngines.open(lvm.path(LV),
                        new org.lvmsync.io.IoEngines.Choice(kind, 4))) {
                    assertEquals(sysfs.equals("1"), engine.rotational(), kind + ": sysfs says rotational=" + sysfs);
                    assertEquals(sysfs.equals("1") ? org.lvmsync.sync.ReadGap.ROTATIONAL : 0,
                            org.lvmsync.sync.ReadGap.of(engine));
                }
            }
        }
    }

    @Test
    void directReadsReturnTheBytesTheFixtureWrote() throws Exception {
        long[] offsets = {0, 3 * MIB + 4096, 12 * MIB - 64 * 1024};
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(lvm.path(LV), Fd.O_RDONLY | Fd.O_DIRECT)) {
            MemorySegment buf = AlignedBuffer.allocate(arena, 64 * 1024);
            for (long off : offsets) {
                fd.preadFully(buf, off);
                assertArrayEquals(TestPattern.bytes(SEED, off, 64 * 1024), buf.toArray(ValueLayout.JAVA_BYTE),
                        "64 KiB at " + off);
            }
        }
    }

    @Test
    void directReadsSeeALaterWriteAndNothingAroundIt() throws Exception {
        long at = 5 * MIB + 8192;
        long newSeed = SEED + 1;
        lvm.writePattern(LV, at, 8192, newSeed);
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(lvm.mapperPath(LV), Fd.O_RDONLY | Fd.O_DIRECT)) {
            MemorySegment buf = AlignedBuffer.allocate(arena, 16384);
            fd.preadFully(buf, at - 4096);
            byte[] got = buf.toArray(ValueLayout.JAVA_BYTE);
            byte[] expected = new byte[16384];
            System.arraycopy(TestPattern.bytes(SEED, at - 4096, 4096), 0, expected, 0, 4096);
            System.arraycopy(TestPattern.bytes(newSeed, at, 8192), 0, expected, 4096, 8192);
            System.arraycopy(TestPattern.bytes(SEED, at + 8192, 4096), 0, expected, 12288, 4096);
            assertArrayEquals(expected, got);
        }
    }
}
