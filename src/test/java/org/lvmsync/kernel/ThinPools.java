package org.lvmsync.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the kernel says about thin pools and thin volumes, asked with dmsetup (test code
 * may shell out; the product never does): the pool's held metadata root, how much of a
 * thin volume is mapped, and the device numbers of LVM's names.
 */
final class ThinPools {
    private ThinPools() {
    }

    /** {@code VG-POOL-tpool}, the pool target LVM builds, dashes doubled. */
    static String poolTarget(LvmFixture lvm, String pool) {
        return lvm.vg().replace("-", "--") + "-" + pool.replace("-", "--") + "-tpool";
    }

    /** The held metadata root field of the pool's status: "-" when none is held. */
    static String heldRoot(LvmFixture lvm, String pool) {
        String[] t = Commands.run("dmsetup", "status", poolTarget(lvm, pool)).trim().split("\\s+");
        // 0 LEN thin-pool <trans> <meta used/total> <data used/total> <held root> ...
        return t[6];
    }

    static void assertNoHeldRoot(LvmFixture lvm, String pool, String after) {
        assertEquals("-", heldRoot(lvm, pool), "the pool holds a metadata snapshot after " + after);
    }

    /** Sectors the thin volume maps (the first field of its status). */
    static long mappedSectors(Path thinLv) {
        String[] t = Commands.run("dmsetup", "status", thinLv.toString()).trim().split("\\s+");
        return Long.parseLong(t[3]);
    }

    /** Every 4096-byte-aligned range of {@code lv} in [from, to) equals the same range of {@code other}. */
    static void assertSameRange(LvmFixture lvm, String expected, String actual, long from, long to) {
        for (long at = from; at < to; at += SyncScenario.MIB) {
            int n = (int) Math.min(SyncScenario.MIB, to - at);
            byte[] e = lvm.read(expected, at, n);
            byte[] a = lvm.read(actual, at, n);
            int mismatch = java.util.Arrays.mismatch(e, a);
            assertEquals(-1, mismatch, actual + " differs from " + expected + " at byte " + (at + mismatch));
        }
    }

    /** Block numbers of {@code blockBytes} blocks that the {offset, length} ranges touch, ascending. */
    static List<Long> blocks(long blockBytes, long[]... ranges) {
        java.util.TreeSet<Long> set = new java.util.TreeSet<>();
        for (long[] r : ranges) {
            for (long b = r[0] / blockBytes; b * blockBytes < r[0] + r[1]; b++) {
                set.add(b);
            }
        }
        return new ArrayList<>(set);
    }
}
