package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvmsync.testing.LoopDevice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Block-device ioctls on a real loop device (root only; skipped with the reason otherwise). */
class LoopDeviceTest {
    private static final long SIZE = 8L << 20;
    private static Path backing;
    private static Path loop;
    private static LoopDevice device;

    @BeforeAll
    static void attach() throws Exception {
        device = LoopDevice.attach("os", SIZE);
        loop = device.device();
        backing = device.backingFile();
    }

    @AfterAll
    static void detach() throws Exception {
        if (device != null) {
            device.close();
        }
    }

    @Test
    void geometryComesFromTheBlockIoctls() throws Exception {
        try (Fd fd = Fd.open(loop, Fd.O_RDONLY)) {
            FileStat st = fd.stat();
            assertTrue(st.isBlockDevice());
            assertEquals(7, st.rdevMajor()); // loop's major number
            assertEquals(0, st.size());
            assertEquals(SIZE, fd.size());
            assertEquals(512, fd.logicalBlockSize());
            assertTrue(fd.physicalBlockSize() >= 512);
        }
    }

    @Test
    void directWritesZeroOutAndDiscard() throws Exception {
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(loop, Fd.O_RDWR | Fd.O_DIRECT)) {
            MemorySegment pattern = AlignedBuffer.allocate(arena, 3 * 4096);
            pattern.fill((byte) 0x5a);
            fd.pwriteFully(pattern, 1 << 20);
            fd.fsync();
            fd.flushBlockBuffers();
            MemorySegment back = AlignedBuffer.allocate(arena, 3 * 4096);
            fd.preadFully(back, 1 << 20);
            assertEquals(-1, back.mismatch(pattern));

            fd.zeroOut((1 << 20) + 4096, 4096);
            fd.preadFully(back, 1 << 20);
            assertEquals(0x5a, back.get(ValueLayout.JAVA_BYTE, 4095));
            assertEquals(0, back.get(ValueLayout.JAVA_LONG, 4096));
            assertEquals(0, back.get(ValueLayout.JAVA_LONG, 8184));
            assertEquals(0x5a, back.get(ValueLayout.JAVA_BYTE, 8192));

            // loop discards punch holes in the backing file, which read back as zeros
            fd.discard(1 << 20, 4096);
            fd.preadFully(back, 1 << 20);
            assertEquals(0, back.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0x5a, back.get(ValueLayout.JAVA_BYTE, 8192));
        }
    }

    @Test
    void flushDropsOnlyThisDevicesCacheAndKeepsData() throws Exception {
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(loop, Fd.O_RDWR)) {
            MemorySegment text = arena.allocateFrom("buffered", StandardCharsets.US_ASCII);
            fd.pwriteFully(text, 4 << 20);
            fd.flushBlockBuffers(); // writes back, then drops the pages
            fd.fadviseDontNeed(0, 0);
            MemorySegment back = arena.allocate(text.byteSize());
            fd.preadFully(back, 4 << 20);
            assertEquals(-1, back.mismatch(text));
        }
    }
}
