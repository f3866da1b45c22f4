package org.lvmsync.thin;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.os.Fd;
import org.lvmsync.os.Mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mapping leaves no page cache behind that was not there before, and takes none away. */
class MappedMetadataTest {
    private static final int BLOCKS = 1024;

    @TempDir
    Path dir;

    private static BitSet resident(Path file) throws Exception {
        try (Fd fd = Fd.open(file, Fd.O_RDONLY); Mmap map = Mmap.map(fd, 0, (long) BLOCKS * 4096, true)) {
            return map.residentPages();
        }
    }

    @Test
    void dropsExactlyThePagesItBroughtIn() throws Exception {
        byte[] data = new byte[BLOCKS * 4096];
        for (int i = 0; i < data.length; i += 4096) {
            data[i] = (byte) (i / 4096);
        }
        Path file = Files.write(dir.resolve("meta"), data);
        try (Fd fd = Fd.open(file, Fd.O_RDWR)) {
            fd.fdatasync();
            fd.fadviseDontNeed(0, 0);
            // someone else's cache: the first 8 blocks were read before us
            fd.pread(java.lang.foreign.Arena.ofAuto().allocate(8 * 4096), 0);
        }
        BitSet before = resident(file); // the 8 blocks and what the kernel read ahead
        assertTrue(before.get(0, 8).cardinality() == 8 && before.cardinality() < BLOCKS / 2, before.toString());

        try (MappedMetadata source = MappedMetadata.open(file)) {
            assertEquals(BLOCKS, source.blockCount());
            assertEquals(before, source.residentBefore());
            source.willNeed(600, 4);
            long sum = 0;
            for (int b = 0; b < BLOCKS; b++) {
                MemorySegment block = source.block(b);
                sum += block.get(ValueLayout.JAVA_BYTE, 0);
            }
            long expected = 0;
            for (int b = 0; b < BLOCKS; b++) {
                expected += (byte) b;
            }
            assertEquals(expected, sum);
            assertEquals(BLOCKS, resident(file).cardinality(), "the walk read every block");
        }
        assertEquals(before, resident(file), "after close: what was cached before, and nothing more");
    }

    @Test
    void willNeedReadsAhead() throws Exception {
        Path file = Files.write(dir.resolve("ahead"), new byte[BLOCKS * 4096]);
        try (Fd fd = Fd.open(file, Fd.O_RDWR)) {
            fd.fdatasync();
            fd.fadviseDontNeed(0, 0);
        }
        try (MappedMetadata source = MappedMetadata.open(file)) {
            source.willNeed(10, 5);
            long deadline = System.nanoTime() + 5_000_000_000L;
            BitSet r;
            do {
                r = resident(file);
            } while (r.get(10, 15).cardinality() < 5 && System.nanoTime() < deadline);
            assertEquals(5, r.get(10, 15).cardinality(), "blocks 10..14 read ahead: " + r);
        }
        assertTrue(resident(file).isEmpty(), "dropped again on close");
    }
}
