package org.lvmsync.thin;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.thin.fixture.Mappings;
import org.lvmsync.thin.fixture.MetadataFile;
import org.lvmsync.thin.fixture.PoolXml;
import org.lvmsync.thin.fixture.RandomPools;
import org.lvmsync.thin.fixture.ThinTools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our reading of real metadata (made by thin_restore, then given kernel-like shared
 * subtrees by the fixture) against thin-provisioning-tools 0.9.0: the diff against
 * thin_delta's and against the block-by-block model, the XML byte for byte, the mappings
 * and device details against thin_dump's.
 */
class ThinToolsCrossCheckTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        assumeTrue(ThinTools.available(), "thin_restore, thin_dump and thin_delta are not installed "
                + "(Debian: apt-get install thin-provisioning-tools)");
    }

    /** Devices: 1 origin, 2 its snapshot, 3 a snapshot of 2, 4 identical to 1, 5 empty, 6 unrelated. */
    private record Case(Path meta, Mappings[] devices) {
    }

    private Case build(long seed, int mapped, int meanRun, int meanGap, double fraction) throws IOException {
        RandomPools random = new RandomPools(seed);
        Mappings origin = random.origin(mapped, meanRun, meanGap);
        long limit = origin.size() == 0 ? 1000 : origin.virt(origin.size() - 1) + 100;
        Mappings snap = random.derive(origin, fraction, 1 + random.random().nextInt(40), limit);
        Mappings snap2 = random.derive(snap, fraction, 1 + random.random().nextInt(10), limit);
        Mappings other = random.origin(mapped / 3 + 1, 5, 5);
        Mappings[] devices = {origin, snap, snap2, origin.copy(), new Mappings(), other};
        PoolXml pool = Pools.pool(random.dataBlocksUsed(), devices);
        Path meta = dir.resolve("meta-" + seed);
        ThinTools.restore(pool, dir.resolve("pool-" + seed + ".xml"), meta, 64 + 3L * mapped / 100);
        try (MetadataFile f = MetadataFile.open(meta)) {
            f.graft(1, 2, snap);
            f.graft(2, 3, snap2);
            f.graft(1, 4, origin);
        }
        return new Case(meta, devices);
    }

    private static final long[][] PAIRS = {{1, 2}, {2, 1}, {2, 3}, {1, 3}, {1, 4}, {4, 1}, {1, 5}, {5, 2}, {1, 6}, {3, 3}};

    @Test
    void randomPoolsDiffLikeThinDeltaAndTheModel() throws IOException {
        for (int seed = 1; seed <= 12; seed++) {
            var r = new java.util.Random(seed);
            int mapped = 50 + r.nextInt(seed % 8 == 0 ? 40_000 : 5_000);
            double fraction = new double[] {0.001, 0.01, 0.05, 0.3}[seed % 4];
            Case c = build(seed, mapped, 1 + r.nextInt(60), r.nextInt(30), fraction);
            try (MappedMetadata source = MappedMetadata.open(c.meta())) {
                ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
                for (long[] p : PAIRS) {
                    String where = "seed " + seed + ", devices " + p[0] + " -> " + p[1];
                    assertEquals(Pools.expectedDiff(c.devices()[(int) p[0] - 1], c.devices()[(int) p[1] - 1]),
                            Pools.diff(md, p[0], p[1]), where);
                    assertEquals(Pools.toolDelta(c.meta(), p[0], p[1], false), Pools.ourDelta(md, p[0], p[1], false), where);
                    if (p[0] < p[1]) {
                        assertEquals(Pools.toolDelta(c.meta(), p[0], p[1], true), Pools.ourDelta(md, p[0], p[1], true),
                                where + " (verbose)");
                    }
                }
            }
        }
    }

    @Test
    void sharedSubtreesAreNotRead() throws IOException {
        Case c = build(77, 40_000, 30, 4, 0.001);
        try (MappedMetadata source = MappedMetadata.open(c.meta()); MetadataFile f = MetadataFile.open(c.meta())) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            long nodes = f.levels(1).stream().mapToLong(List::size).sum();
            DiffStats identical = ThinDiff.diff(md, 1, 4, (b, l, k) -> {
                throw new AssertionError("identical devices differ at " + b);
            });
            assertEquals(0, identical.nodesRead(), "the same root: nothing to read");
            assertEquals(1, identical.sharedSubtreesSkipped());
            DiffStats few = ThinDiff.diff(md, 1, 2, (b, l, k) -> { });
            assertTrue(few.sharedSubtreesSkipped() > 0, few.toString());
            assertTrue(few.nodesRead() < nodes / 4, few + " of " + nodes + " nodes per tree");
        }
    }

    @Test
    void runListsForTheSyncPathInBytes() throws IOException {
        Case c = build(300, 5_000, 8, 6, 0.05);
        try (MappedMetadata source = MappedMetadata.open(c.meta())) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            long unit = md.dataBlockBytes();
            assertEquals(128 * 512, unit);
            org.lvmsync.changes.RunList runs = SyncRuns.changes(md, 1, 2);
            org.lvmsync.changes.RunList.Builder expected = org.lvmsync.changes.RunList.builder(unit);
            for (Pools.Range r : Pools.expectedDiff(c.devices()[0], c.devices()[1])) {
                for (long b = r.begin(); b < r.begin() + r.length(); b++) {
                    expected.add(b);
                }
            }
            assertEquals(describe(expected.build()), describe(runs));
            org.lvmsync.changes.RunList mapped = SyncRuns.mapped(md, 1);
            assertEquals(c.devices()[0].size() * unit, mapped.totalBytes());
            assertEquals(c.devices()[0].virt(0) * unit, mapped.firstRunOffset());
        }
    }

    /**
     * The sync path's runs built run by run: the same as block by block; cut at the newer
     * device's size; and a grown device's tail sent whole.
     */
    @Test
    void thinRunsClipAtTheNewerSizeAndSendAGrownTail() throws IOException {
        Case c = build(301, 5_000, 8, 6, 0.05);
        try (MappedMetadata source = MappedMetadata.open(c.meta())) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            long unit = md.dataBlockBytes();
            long huge = 1L << 40;
            assertEquals(describe(SyncRuns.changes(md, 1, 2)), describe(ThinRuns.changes(md, 1, 2, huge, huge)));
            assertEquals(describe(SyncRuns.mapped(md, 1)), describe(ThinRuns.mapped(md, 1, huge)));

            long end = c.devices()[1].virt(c.devices()[1].size() / 2);   // a size cutting the device in half
            org.lvmsync.changes.RunList.Builder cut = org.lvmsync.changes.RunList.builder(unit);
            org.lvmsync.changes.RunList.Builder mappedCut = org.lvmsync.changes.RunList.builder(unit);
            for (Pools.Range r : Pools.expectedDiff(c.devices()[0], c.devices()[1])) {
                for (long b = r.begin(); b < Math.min(end, r.begin() + r.length()); b++) {
                    cut.add(b);
                }
            }
            Mappings snap = c.devices()[1];
            for (int i = 0; i < snap.size() && snap.virt(i) < end; i++) {
                mappedCut.add(snap.virt(i));
            }
            // shrunk: nothing at or past its end; a size inside a block keeps that block
            assertEquals(describe(cut.build()), describe(ThinRuns.changes(md, 1, 2, huge, end * unit)));
            assertEquals(describe(ThinRuns.changes(md, 1, 2, huge, end * unit)),
                    describe(ThinRuns.changes(md, 1, 2, huge, end * unit - 512)));
            assertEquals(describe(mappedCut.build()), describe(ThinRuns.mapped(md, 2, end * unit)));

            // grown from `end` blocks to twice that: the diff below, everything from `end` on
            org.lvmsync.changes.RunList.Builder grown = org.lvmsync.changes.RunList.builder(unit);
            for (Pools.Range r : Pools.expectedDiff(c.devices()[0], c.devices()[1])) {
                for (long b = r.begin(); b < Math.min(end, r.begin() + r.length()); b++) {
                    grown.add(b);
                }
            }
            for (long b = end; b < 2 * end; b++) {
                grown.add(b);
            }
            assertEquals(describe(grown.build()), describe(ThinRuns.changes(md, 1, 2, end * unit, 2 * end * unit)));
        }
    }

    private static String describe(org.lvmsync.changes.RunList runs) throws IOException {
        StringBuilder s = new StringBuilder();
        runs.forEach((offset, length) -> s.append(offset).append('+').append(length).append(' '));
        return s.toString();
    }

    @Test
    void mappingsAndDetailsLikeThinDump() throws IOException {
        for (int seed = 101; seed <= 104; seed++) {
            Case c = build(seed, 3_000 * (seed - 100), 20, 10, 0.02);
            try (MappedMetadata source = MappedMetadata.open(c.meta())) {
                ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
                assertEquals(Pools.toolDump(c.meta()), Pools.ourDump(md), "seed " + seed);
            }
        }
    }

    @Test
    void metadataSnapshotIsReadFromTheHeldRoot() throws IOException {
        Case c = build(200, 20_000, 20, 10, 0.01);
        RandomPools random = new RandomPools(201);
        long held;
        Mappings later = random.derive(c.devices()[1], 0.05, 8, 30_000);
        try (MetadataFile f = MetadataFile.open(c.meta())) {
            held = f.holdMetadataSnapshot();
            f.graft(2, 2, later); // the live trees move on; the snapshot keeps the old device 2
        }
        try (MappedMetadata source = MappedMetadata.open(c.meta())) {
            for (String[] mode : new String[][] {{"-m"}, {"--metadata-snap=" + held}, {}}) {
                ThinDelta.Options o = ThinDelta.parse(concat(mode, "--snap1", "1", "--snap2", "2", c.meta().toString()));
                ThinMetadata md = ThinMetadata.open(source, o.root());
                Mappings right = mode.length == 0 ? later : c.devices()[1];
                assertEquals(Pools.expectedDiff(c.devices()[0], right), Pools.diff(md, 1, 2), String.join(" ", mode));
                for (boolean verbose : new boolean[] {false, true}) {
                    assertEquals(Pools.toolDelta(c.meta(), 1, 2, verbose, mode), Pools.ourDelta(md, 1, 2, verbose),
                            String.join(" ", mode) + (verbose ? " --verbose" : ""));
                }
            }
        }
    }

    @Test
    void aMillionMappingsDeepTreeWithTallerSnapshot() throws IOException {
        RandomPools random = new RandomPools(1_000_000);
        Mappings origin = random.origin(1_100_000, 200, 2);
        long limit = origin.virt(origin.size() - 1);
        Mappings snap = random.derive(origin, 0.002, 50, limit);
        // a snapshot that has grown beyond the origin, in part-full nodes: a taller tree
        // that shares the origin's subtrees at a greater depth
        Mappings grown = snap.copy();
        for (long v = limit + 10; grown.size() < snap.size() + 150_000; v++) {
            grown.add(v, v + 5_000_000, 1);
        }
        Mappings[] devices = {origin, snap, grown};
        Mappings stub = new Mappings().add(0, 0, 0);
        // thin_restore builds only the origin; the other trees are grafted in whole, sharing it
        PoolXml pool = Pools.pool(random.dataBlocksUsed() + 10_000_000, origin, stub, stub);
        Path meta = dir.resolve("big");
        ThinTools.restore(pool, dir.resolve("big.xml"), meta, 120_000);
        try (MetadataFile f = MetadataFile.open(meta)) {
            f.graft(1, 2, snap);
            f.graft(2, 3, grown, 9);
            assertTrue(f.levels(3).size() > f.levels(1).size(), "the grown tree is taller");
        }
        try (MappedMetadata source = MappedMetadata.open(meta)) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            for (long[] p : new long[][] {{1, 2}, {2, 3}, {3, 1}}) {
                assertEquals(Pools.expectedDiff(devices[(int) p[0] - 1], devices[(int) p[1] - 1]), Pools.diff(md, p[0], p[1]),
                        p[0] + " -> " + p[1]);
            }
            assertEquals(Pools.toolDelta(meta, 1, 2, false), Pools.ourDelta(md, 1, 2, false));
            assertEquals(Pools.toolDelta(meta, 3, 1, true), Pools.ourDelta(md, 3, 1, true));
            DiffStats s = ThinDiff.diff(md, 1, 2, (b, l, k) -> { });
            assertTrue(s.nodesRead() < 3_000, "0.2% changed in clusters reads few nodes: " + s);
            DiffStats tall = ThinDiff.diff(md, 2, 3, (b, l, k) -> { });
            assertTrue(tall.sharedSubtreesSkipped() > 0 && tall.nodesRead() < 40_000, "across heights: " + tall);
        }
    }

    private static List<String> concat(String[] first, String... rest) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }
}
