package org.lvmsync.aot;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.lang.foreign.MemorySegment;

import org.lvmsync.thin.BtreeNode;
import org.lvmsync.thin.Superblock;
import org.lvmsync.thin.ThinDelta;

/**
 * The training run of the AOT cache of {@code lvmsync thin-delta} runs
 * ({@code target/lvmsync-thin.aot}, made by {@code scripts/lvmsync} beside the main
 * one): a short process whose every millisecond shows next to thin_delta's, so its cache
 * holds that mode's classes and no other mode's (a cache's classes are all loaded at
 * every start: the main cache cost a thin-delta run some 40 ms more CPU), and no
 * training profiles (the launcher says why). It writes a pool metadata image of nine
 * blocks as dm-thin lays it out (superblock, two-level mapping tree, device details
 * tree, and a metadata snapshot's superblock copy at the held root) and diffs it as
 * {@code lvmsync thin-delta} runs do: plain, {@code --verbose} and from the held root,
 * into a file through the same kind of stream. Thin devices 1 and 2 share one leaf and
 * differ in the other (changed, removed and added mappings), so the walk goes down
 * internal nodes, reads a shared leaf, and writes every kind of range.
 */
final class ThinTraining {
    private static final int BLOCK = 4096;
    private static final int INTERNAL = 1;
    private static final int LEAF = 2;
    private static final int DETAILS_VALUE_BYTES = 24;

    // where each block of the image goes
    private static final int TOP_LEVEL = 1;
    private static final int DEV1_ROOT = 2;
    private static final int DEV2_ROOT = 3;
    private static final int SHARED_LEAF = 4;
    private static final int DEV1_LEAF = 5;
    private static final int DETAILS = 6;
    private static final int HELD_ROOT = 7;
    private static final int DEV2_LEAF = 8;
    private static final int BLOCKS = 9;

    private ThinTraining() {
    }

    /** Prints nothing and leaves nothing behind, as {@link AotTraining}. */
    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("lvmsync-aot-thin-");
        try (PrintStream sink = new PrintStream(OutputStream.nullOutputStream())) {
            System.setOut(sink);
            AotTraining.run(0, "thin-delta", "--help");
            run(dir);
        } finally {
            System.setOut(out);
            AotTraining.deleteTree(dir);
        }
    }

    /** Writes the image into {@code dir} and diffs it three ways; the outputs stay in {@code dir}. */
    static void run(Path dir) throws IOException {
        Path meta = Files.write(dir.resolve("tmeta"), image());
        diff(dir.resolve("delta.xml"), "--snap1", "1", "--snap2", "2", meta.toString());
        diff(dir.resolve("delta-v.xml"), "--verbose", "--snap1", "1", "--snap2", "2", meta.toString());
        diff(dir.resolve("delta-m.xml"), "--metadata-snap", "--snap1", "2", "--snap2", "1", meta.toString());
    }

    private static void diff(Path out, String... args) throws IOException {
        // as ThinDeltaMode makes its stdout: a buffered UTF-8 stream over a file descriptor
        try (PrintStream stream = new PrintStream(new BufferedOutputStream(new FileOutputStream(out.toFile()), 1 << 16),
                false, StandardCharsets.UTF_8)) {
            ThinDelta.run(ThinDelta.parse(List.of(args)), stream);
        }
    }

    /** The metadata image the diffs run over (the main training walks it too, {@link ThinSyncTraining}). */
    static byte[] image() {
        ByteBuffer image = ByteBuffer.allocate(BLOCKS * BLOCK).order(ByteOrder.LITTLE_ENDIAN);
        superblock(image, 0, HELD_ROOT, 1024);
        superblock(image, HELD_ROOT, 0, 0); // the held copy counts no data blocks
        node(image, TOP_LEVEL, LEAF, new long[] {1, 2}, new long[] {DEV1_ROOT, DEV2_ROOT});
        node(image, DEV1_ROOT, INTERNAL, new long[] {0, 64}, new long[] {SHARED_LEAF, DEV1_LEAF});
        node(image, DEV2_ROOT, INTERNAL, new long[] {0, 64}, new long[] {SHARED_LEAF, DEV2_LEAF});
        node(image, SHARED_LEAF, LEAF, range(0, 16), mappings(0, 16, 100));
        node(image, DEV1_LEAF, LEAF, range(64, 32), mappings(0, 32, 200));
        long[] keys = range(70, 40); // 64..69 removed, 96..109 added
        long[] values = mappings(6, 40, 200); // where both map a block, the same data block
        for (int i = 10; i < 20; i++) {
            values[i] = mapping(300 + i); // rewritten after the snapshot
        }
        node(image, DEV2_LEAF, LEAF, keys, values);
        details(image);
        return image.array();
    }

    private static void superblock(ByteBuffer image, int at, long heldRoot, long dataBlocks) {
        int base = at * BLOCK;
        image.putLong(base + 8, at).putLong(base + 32, Superblock.MAGIC).putInt(base + 40, 2).putInt(base + 44, 1)
                .putLong(base + 48, 1).putLong(base + 56, heldRoot)
                .putLong(base + 64, dataBlocks)
                .putLong(base + 320, TOP_LEVEL).putLong(base + 328, DETAILS)
                .putInt(base + 336, 128).putInt(base + 340, BLOCK / 512).putLong(base + 344, BLOCKS);
        Superblock.seal(block(image, at));
    }

    private static void node(ByteBuffer image, int at, int flags, long[] keys, long[] values) {
        node(image, at, flags, keys, 8);
        int base = at * BLOCK;
        int max = maxEntries(8);
        for (int i = 0; i < values.length; i++) {
            image.putLong(base + 32 + 8 * max + 8 * i, values[i]);
        }
        BtreeNode.seal(block(image, at));
    }

    private static void node(ByteBuffer image, int at, int flags, long[] keys, int valueSize) {
        int base = at * BLOCK;
        image.putInt(base + 4, flags).putLong(base + 8, at).putInt(base + 16, keys.length)
                .putInt(base + 20, maxEntries(valueSize)).putInt(base + 24, valueSize);
        for (int i = 0; i < keys.length; i++) {
            image.putLong(base + 32 + 8 * i, keys[i]);
        }
    }

    /** An empty device details leaf: thin-delta never reads it, but the image is whole. */
    private static void details(ByteBuffer image) {
        node(image, DETAILS, LEAF, new long[0], DETAILS_VALUE_BYTES);
        BtreeNode.seal(block(image, DETAILS));
    }

    private static int maxEntries(int valueSize) {
        return (BLOCK - 32) / (8 + valueSize);
    }

    private static long[] range(long first, int count) {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = first + i;
        }
        return keys;
    }

    private static long[] mappings(int from, int count, long firstData) {
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = mapping(firstData + from + i);
        }
        return values;
    }

    /** A mapping value: the data block above the 24-bit time (0 here). */
    private static long mapping(long dataBlock) {
        return dataBlock << 24;
    }

    /** Block {@code at} of the image, for the thin package to seal with its checksum. */
    private static MemorySegment block(ByteBuffer image, int at) {
        return MemorySegment.ofArray(image.array()).asSlice((long) at * BLOCK, BLOCK);
    }
}
