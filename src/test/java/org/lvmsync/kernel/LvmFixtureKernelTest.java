package org.lvmsync.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fixture's promises, checked against the kernel: a snapshot keeps the bytes of the
 * moment it was taken, at the chosen chunk size; thin discards unmap. Tests of the tool
 * build on these.
 */
@Tag("kernel")
class LvmFixtureKernelTest {
    private static final int KIB = 1024;
    private static final long MIB = 1 << 20;
    private static LvmFixture lvm;

    @BeforeAll
    static void createGroup() {
        lvm = LvmFixture.create("lvmsync-k.fixture");
    }

    @AfterAll
    static void removeGroup() {
        if (lvm != null) {
            lvm.close();
        }
    }

    @Test
    void classicSnapshotKeepsTheOldBytes() {
        lvm.linear("origin-a.1", 8);
        lvm.fill("origin-a.1", 1);
        lvm.snapshot("origin-a.1", "origin-a.1-snap", 4, 8);
        assertEquals(Integer.toString(8 * KIB), lvm.report("origin-a.1-snap", "chunk_size"));

        long at = MIB + 8 * KIB;
        lvm.writePattern("origin-a.1", at, 16 * KIB, 2);

        assertArrayEquals(TestPattern.bytes(2, at, 16 * KIB), lvm.read("origin-a.1", at, 16 * KIB));
        assertArrayEquals(TestPattern.bytes(1, at, 16 * KIB), lvm.read("origin-a.1-snap", at, 16 * KIB));
    }

    @Test
    void thinSnapshotKeepsTheOldBytesAndDiscardsUnmap() {
        lvm.thinPool("pool-0.t", 32, 64);
        lvm.thin("pool-0.t", "thin-a.1", 16);
        lvm.fill("thin-a.1", 3);
        lvm.thinSnapshot("thin-a.1", "thin-a.1-snap");
        assertEquals(Integer.toString(64 * KIB), lvm.report("pool-0.t", "chunk_size"));

        long written = 2 * MIB;
        long discarded = 4 * MIB;
        lvm.writePattern("thin-a.1", written, 64 * KIB, 4);
        lvm.discard("thin-a.1", discarded, 128 * KIB);

        assertArrayEquals(TestPattern.bytes(4, written, 64 * KIB), lvm.read("thin-a.1", written, 64 * KIB));
        assertArrayEquals(new byte[128 * KIB], lvm.read("thin-a.1", discarded, 128 * KIB));
        assertArrayEquals(TestPattern.bytes(3, written, 64 * KIB), lvm.read("thin-a.1-snap", written, 64 * KIB));
        assertArrayEquals(TestPattern.bytes(3, discarded, 128 * KIB),
                lvm.read("thin-a.1-snap", discarded, 128 * KIB));
    }
}
