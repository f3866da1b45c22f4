package org.lvmsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.lvmsync.thin.fixture.Mappings;
import org.lvmsync.thin.fixture.MetadataFile;
import org.lvmsync.thin.fixture.PoolXml;
import org.lvmsync.thin.fixture.RandomPools;
import org.lvmsync.thin.fixture.ThinTools;

/**
 * Thin pool metadata for the diff benchmarks, made without a kernel: thin_restore builds
 * the origin (device 1, {@code blocks} mapped blocks in runs), then the snapshot (device
 * 2) is grafted in sharing every node the change leaves alone, as the kernel's
 * copy-on-write leaves it. The snapshot has {@code fraction} of the blocks rewritten, in
 * clusters of {@code cluster} blocks (1: scattered). Kept between runs under the bench dir.
 */
final class ThinFixtures {
    static final long ORIGIN = 1;
    static final long SNAPSHOT = 2;

    private ThinFixtures() {
    }

    static Path metadata(long blocks, double fraction, int cluster) throws IOException {
        Path file = BenchFiles.dir().resolve("thin-" + blocks + "-" + fraction + "-" + cluster + ".meta");
        if (!Files.exists(file)) {
            make(file, blocks, fraction, cluster);
        }
        return file;
    }

    static void make(Path file, long blocks, double fraction, int cluster) throws IOException {
        RandomPools random = new RandomPools(blocks ^ Double.doubleToLongBits(fraction) ^ cluster);
        Mappings origin = random.origin(blocks, 2_000, 3);
        Mappings snapshot = random.rewrite(origin, fraction, cluster);
        PoolXml pool = new PoolXml();
        pool.nrDataBlocks = random.dataBlocksUsed() + 1;
        pool.add(ORIGIN, origin);
        pool.add(SNAPSHOT, new Mappings().add(0, 0, 0)); // its tree is grafted below
        Path tmp = Files.createTempFile(file.getParent(), "thin", ".meta");
        Path xml = Files.createTempFile(file.getParent(), "thin", ".xml");
        try {
            ThinTools.restore(pool, xml, tmp, blocks / 100 + 1_000);
            try (MetadataFile f = MetadataFile.open(tmp)) {
                f.graft(ORIGIN, SNAPSHOT, snapshot);
            }
            Files.move(tmp, file);
        } finally {
            Files.deleteIfExists(xml);
            Files.deleteIfExists(tmp);
        }
    }
}
