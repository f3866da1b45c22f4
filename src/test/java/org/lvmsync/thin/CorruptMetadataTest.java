package org.lvmsync.thin;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.thin.fixture.Mappings;
import org.lvmsync.thin.fixture.MetadataFile;
import org.lvmsync.thin.fixture.RandomPools;
import org.lvmsync.thin.fixture.ThinTools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real metadata damaged on purpose, one way at a time: each is refused with one line that
 * names the file and the block, as a CorruptPoolMetadataException (exit code BAD_INPUT), and
 * never with a hang or another exception.
 */
class CorruptMetadataTest {
    @TempDir
    Path dir;
    Path meta;
    Mappings origin;

    @BeforeEach
    void restore() throws IOException {
        assumeTrue(ThinTools.available(), "thin_restore is not installed (Debian: thin-provisioning-tools)");
        RandomPools random = new RandomPools(5);
        origin = random.origin(8_000, 10, 3);
        Mappings snap = random.derive(origin, 0.01, 4, origin.virt(origin.size() - 1));
        meta = dir.resolve("meta");
        ThinTools.restore(Pools.pool(random.dataBlocksUsed(), origin, snap), dir.resolve("pool.xml"), meta, 200);
        try (MetadataFile f = MetadataFile.open(meta)) {
            f.graft(1, 2, snap);
        }
    }

    private void edit(Consumer<MetadataFile> change) throws IOException {
        try (MetadataFile f = MetadataFile.open(meta)) {
            change.accept(f);
        }
    }

    private long leaf(int devId, int nth) throws IOException {
        try (MetadataFile f = MetadataFile.open(meta)) {
            List<List<Long>> levels = f.levels(devId);
            List<Long> leaves = levels.get(levels.size() - 1);
            return leaves.get(nth % leaves.size());
        }
    }

    private long root(int devId) throws IOException {
        try (MetadataFile f = MetadataFile.open(meta)) {
            return f.deviceRoot(devId);
        }
    }

    /** Reads every mapping of device 1 and diffs 1 and 2. */
    private void readAll() throws IOException {
        try (MappedMetadata source = MappedMetadata.open(meta)) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            ThinDiff.mappings(md, 1, (b, d, l, t) -> { });
            ThinDiff.diff(md, 1, 2, (b, l, k) -> { });
        }
    }

    private CorruptPoolMetadataException refused(long block, String words) {
        return refused(block, words, this::readAll);
    }

    private CorruptPoolMetadataException refused(long block, String words, Executable read) {
        CorruptPoolMetadataException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(CorruptPoolMetadataException.class, read));
        assertEquals(block, e.block(), e.getMessage());
        assertEquals(FailureClass.BAD_INPUT, e.failureClass());
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.startsWith(meta + ": metadata block " + block + ": "), m);
        assertTrue(m.contains(words), m);
        return e;
    }

    @Test
    void undamagedMetadataReads() throws IOException {
        readAll();
    }

    @Test
    void badChecksumInALeaf() throws IOException {
        long b = leaf(1, 3);
        edit(f -> f.putLong(b, 40, f.getLong(b, 40) ^ 1));
        refused(b, "btree node checksum is 0x");
    }

    @Test
    void badChecksumInTheSuperblock() throws IOException {
        edit(f -> f.putInt(0, 44, 12345));
        refused(0, "superblock checksum");
    }

    @Test
    void wrongBlockNumber() throws IOException {
        long b = leaf(1, 5);
        edit(f -> {
            f.putLong(b, 8, b + 1);
            f.reseal(b, false);
        });
        refused(b, "the node says it is block " + (b + 1));
    }

    @Test
    void badMagic() throws IOException {
        edit(f -> {
            f.putLong(0, 32, 27022011);
            f.reseal(0, true);
        });
        refused(0, "magic is 27022011, expected 27022010");
    }

    @Test
    void badFlags() throws IOException {
        long b = leaf(1, 2);
        edit(f -> {
            f.putInt(b, 4, 3);
            f.reseal(b, false);
        });
        refused(b, "flags are 0x3");
    }

    @Test
    void moreEntriesThanFit() throws IOException {
        long b = leaf(1, 2);
        edit(f -> {
            f.putInt(b, 16, f.maxEntries(b) + 1);
            f.reseal(b, false);
        });
        refused(b, "exceeds max_entries");
    }

    @Test
    void keysOutOfOrder() throws IOException {
        long b = leaf(1, 4);
        edit(f -> {
            long k1 = f.key(b, 1);
            f.putLong(b, 32 + 8, f.key(b, 2));
            f.putLong(b, 32 + 16, k1);
            f.reseal(b, false);
        });
        refused(b, "keys are not ascending");
    }

    @Test
    void leafKeysOutsideTheRangeItsParentGives() throws IOException {
        long b = leaf(1, 0);
        edit(f -> {
            int last = f.size(b) - 1;
            f.putLong(b, 32 + 8L * last, f.key(b, last) + 10_000_000);
            f.reseal(b, false);
        });
        refused(b, "that its parent gives it");
    }

    @Test
    void childPointingBackUpThePath() throws IOException {
        long root = root(1);
        edit(f -> f.setValue(root, 1, root));
        refused(root, "a loop");
    }

    @Test
    void leftmostChildPointingBackToTheRoot() throws IOException {
        long root = root(1);
        edit(f -> f.setValue(root, 0, root));
        refused(root, "a loop");
    }

    @Test
    void truncatedFile() throws IOException {
        long keep = Math.max(leaf(1, 7), 2);
        try (RandomAccessFile f = new RandomAccessFile(meta.toFile(), "rw")) {
            f.setLength(keep * 4096 + 100);
        }
        CorruptPoolMetadataException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(CorruptPoolMetadataException.class, this::readAll));
        // the first block the walk misses: the top level (rewritten last by the graft) or a leaf
        assertTrue(e.block() >= keep, e.getMessage());
        refused(e.block(), "but the metadata has only " + keep + " blocks (" + keep * 4096
                + " bytes): it is truncated or the pointer is damaged");
    }

    @Test
    void fileShorterThanOneBlock() throws IOException {
        Files.write(meta, new byte[1000]);
        refused(0, "less than one 4096-byte block");
    }

    @Test
    void aDeviceTheMetadataDoesNotHold() throws IOException {
        try (MappedMetadata source = MappedMetadata.open(meta)) {
            ThinMetadata md = ThinMetadata.open(source, MetadataRoot.live());
            ThinDeviceNotFoundException e = assertThrows(ThinDeviceNotFoundException.class,
                    () -> ThinDiff.diff(md, 1, 9, (b, l, k) -> { }));
            assertEquals(9, e.devId());
            assertEquals(meta + ": thin device 9 is not in the pool's metadata (it holds devices 1, 2); "
                    + "was the thin volume removed, or is this another pool's metadata?", e.getMessage());
        }
    }

    @Test
    void noMetadataSnapshotHeld() throws IOException {
        try (MappedMetadata source = MappedMetadata.open(meta)) {
            LvmsyncException e = assertThrows(LvmsyncException.class,
                    () -> ThinMetadata.open(source, MetadataRoot.held()));
            assertTrue(e.getMessage().contains("no metadata snapshot is held"), e.getMessage());
        }
    }

    @Test
    void aHeldRootOtherThanTheOneAskedFor() throws IOException {
        long[] held = new long[1];
        edit(f -> {
            try {
                held[0] = f.holdMetadataSnapshot();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (MappedMetadata source = MappedMetadata.open(meta)) {
            assertEquals(held[0], ThinMetadata.open(source, MetadataRoot.heldAt(held[0])).superblockLocation());
            LvmsyncException e = assertThrows(LvmsyncException.class,
                    () -> ThinMetadata.open(source, MetadataRoot.heldAt(held[0] + 1)));
            assertTrue(e.getMessage().contains("is at block " + held[0] + ", not at block " + (held[0] + 1)), e.getMessage());
        }
    }

    @Test
    void damagedHeldCopy() throws IOException {
        long[] held = new long[1];
        edit(f -> {
            try {
                held[0] = f.holdMetadataSnapshot();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            f.putLong(held[0], 8, 0); // the copy claims to be block 0
            f.reseal(held[0], true);
        });
        refused(held[0], "the superblock says it is block 0", () -> {
            try (MappedMetadata source = MappedMetadata.open(meta)) {
                ThinMetadata.open(source, MetadataRoot.held());
            }
        });
    }
}
