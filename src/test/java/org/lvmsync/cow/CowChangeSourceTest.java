package org.lvmsync.cow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.lvmsync.changes.CorruptMetadataException;
import org.lvmsync.changes.RunList;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.PreadEngine;
import org.lvmsync.sync.TestFiles;

/** The store read from a file with O_DIRECT, as from a COW device. */
class CowChangeSourceTest {
    private static long[][] runs(RunList list) throws IOException {
        List<long[]> out = new ArrayList<>();
        list.forEach((o, l) -> out.add(new long[] {o, l}));
        return out.toArray(new long[0][]);
    }

    /** The runs of the store in {@code cow}, read through the O_DIRECT engine as the job does. */
    private static RunList changes(Path cow, long chunkBytes) throws IOException {
        try (IoEngine engine = PreadEngine.open(cow)) {
            return new CowChangeSource(engine, 1L << 30, chunkBytes).changes();
        }
    }

    @Test
    void readsAFileImageWithTwoAreas() throws IOException {
        long[] old = LongStream.range(0, 300).map(i -> 1000 - i).toArray(); // 701..1000, reversed
        Path cow = TestFiles.file("cow-4k", new CowImage(4096).build(old));
        try {
            assertArrayEquals(new long[][] {{701L * 4096, 300L * 4096}}, runs(changes(cow, 0)));
        } finally {
            Files.delete(cow);
        }
    }

    @Test
    void sixtyFourKibChunksFromAFile() throws IOException {
        long[] old = {5, 6, 7, 100, 4};
        Path cow = TestFiles.file("cow-64k", new CowImage(65536).build(old));
        try {
            RunList runs = changes(cow, 0);
            assertArrayEquals(new long[][] {{4L * 65536, 4L * 65536}, {100L * 65536, 65536}}, runs(runs));
        } finally {
            Files.delete(cow);
        }
    }

    @Test
    void aChunkSizeThatDisagreesWithTheTableIsRefused() throws IOException {
        Path cow = TestFiles.file("cow-chunk", new CowImage(4096).build(new long[] {1, 2}));
        try {
            CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                    () -> changes(cow, 65536));
            assertEquals("chunk_size", e.field());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("4096-byte chunks but the snapshot's table says 65536"),
                    e.getMessage());
            assertEquals(2, runs(changes(cow, 4096))[0][1] / 4096);
        } finally {
            Files.delete(cow);
        }
    }

    @Test
    void truncatedFileIsReported() throws IOException {
        byte[] image = new CowImage(4096).build(LongStream.range(0, 256).toArray());
        Path cow = TestFiles.file("cow-cut", Arrays.copyOf(image, 258 * 4096 + 512));
        try {
            CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                    () -> changes(cow, 0));
            assertEquals(258, e.block());
        } finally {
            Files.delete(cow);
        }
    }
}
