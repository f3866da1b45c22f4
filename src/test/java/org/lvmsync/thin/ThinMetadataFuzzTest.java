package org.lvmsync.thin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.LvmsyncException;
import org.lvmsync.testing.Fuzz;
import org.lvmsync.thin.fixture.Mappings;
import org.lvmsync.thin.fixture.MetadataFile;
import org.lvmsync.thin.fixture.RandomPools;
import org.lvmsync.thin.fixture.ThinTools;

/**
 * The thin metadata parsers under fuzzing (deliverable 10): real metadata made by
 * thin_restore, with a snapshot grafted onto its origin's nodes as the kernel shares
 * them, then damaged at random places of the blocks the trees use (the superblock, the
 * device trees, internal nodes and leaves): bytes, ints and longs overwritten, and mostly
 * the block's checksum made valid again, so the damage reaches the checks behind it.
 * Reading every mapping and diffing the two devices must then succeed or be refused with
 * one line as our own exception, never with another exception or a hang.
 */
class ThinMetadataFuzzTest {
    @TempDir
    Path dir;

    @Test
    void damagedMetadataIsReadOrRefusedWithOneLine() throws IOException {
        assumeTrue(ThinTools.available(), "thin_restore is not installed (Debian: thin-provisioning-tools)");
        RandomPools random = new RandomPools(11);
        Mappings origin = random.origin(4_000, 10, 3);
        Mappings snap = random.derive(origin, 0.02, 4, origin.virt(origin.size() - 1));
        Path pristine = dir.resolve("pristine");
        ThinTools.restore(Pools.pool(random.dataBlocksUsed(), origin, snap), dir.resolve("pool.xml"), pristine, 200);
        List<Long> blocks = new ArrayList<>(List.of(0L));
        try (MetadataFile f = MetadataFile.open(pristine)) {
            f.graft(1, 2, snap);
            for (int dev = 1; dev <= 2; dev++) {
                f.levels(dev).forEach(blocks::addAll);
            }
        }
        byte[] image = Files.readAllBytes(pristine);
        Path meta = dir.resolve("meta");
        int[] refused = new int[1];
        int cases = Fuzz.run("thin metadata", 400, rnd -> {
            Files.write(meta, image);
            try (MetadataFile f = MetadataFile.open(meta)) {
                for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
                    damage(f, blocks.get(rnd.nextInt(blocks.size())), rnd);
                }
            }
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> readAll(meta));
            } catch (LvmsyncException e) {
                refused[0]++;
                String m = e.getMessage();
                assertFalse(m.contains("\n"), m);
                assertTrue(m.startsWith(meta.toString()), m);
            }
        });
        System.out.printf("fuzz: thin metadata: %d of %d damaged images refused, the rest read%n", refused[0], cases);
        assertTrue(refused[0] > 0, "no damage was ever found");
    }

    /** One piece of damage in block {@code b}, resealed four times in five. */
    private static void damage(MetadataFile f, long b, Random rnd) {
        long at = 4 + rnd.nextInt(MetadataFile.BLOCK - 12);   // past the checksum
        switch (rnd.nextInt(4)) {
            case 0 -> f.putInt(b, at, f.getInt(b, at) ^ (1 << rnd.nextInt(32)));
            case 1 -> f.putInt(b, at, rnd.nextInt());
            case 2 -> f.putLong(b, at, rnd.nextBoolean() ? rnd.nextLong() : f.getLong(b, at) + rnd.nextInt(5) - 2);
            default -> f.putLong(b, at & ~7L, (rnd.nextBoolean() ? -1L : 1L) << rnd.nextInt(64));
        }
        if (rnd.nextInt(5) > 0) {
            f.reseal(b, b == 0);
        }
    }

    /** Every mapping of device 1, and the diff of 1 and 2, as a sync reads them. */
    private static void readAll(Path meta) throws IOException {
        try (MappedMetadata source = MappedMetadata.open(meta)) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            ThinDiff.mappings(md, 1, (b, d, l, t) -> { });
            ThinDiff.diff(md, 1, 2, (b, l, k) -> { });
        }
    }
}
