package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MmapTest {
    @TempDir
    Path dir;

    @Test
    void readOnlyMappingSeesTheFileAndDiesWithClose() throws Exception {
        byte[] data = new byte[3 * 4096];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i / 4096 + 1);
        }
        Path file = Files.write(dir.resolve("m"), data);
        MemorySegment stale;
        try (Fd fd = Fd.open(file, Fd.O_RDONLY); Mmap map = Mmap.map(fd, 4096, 8192, true)) {
            MemorySegment s = map.segment();
            assertEquals(8192, s.byteSize());
            assertEquals(2, s.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(3, s.get(ValueLayout.JAVA_BYTE, 8191));
            stale = s;
        }
        assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void writableMappingWritesThrough() throws Exception {
        Path file = Files.write(dir.resolve("w"), new byte[4096]);
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(file, Fd.O_RDWR)) {
            try (Mmap map = Mmap.map(fd, 0, 4096, false)) {
                map.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 100, 0x1122334455667788L);
            }
            MemorySegment back = arena.allocate(8);
            fd.preadFully(back, 100);
            assertEquals(0x1122334455667788L, back.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeTheCall() throws Exception {
        Path file = Files.write(dir.resolve("b"), new byte[4096]);
        try (Fd fd = Fd.open(file, Fd.O_RDONLY)) {
            assertThrows(IllegalArgumentException.class, () -> Mmap.map(fd, 100, 4096, true));
            assertThrows(IllegalArgumentException.class, () -> Mmap.map(fd, 0, 0, true));
            // past the end: a touch of those pages would be a SIGBUS, not an exception
            IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                    () -> Mmap.map(fd, 0, 8192, true));
            assertEquals("mmap of [0, 8192) of " + file + " reaches past its end at 4096", past.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Mmap.map(fd, 4096, 4096, true));
            assertThrows(IllegalArgumentException.class, () -> Mmap.map(fd, 8192, 4096, true));
            ErrnoException e = assertThrows(ErrnoException.class, () -> Mmap.map(fd, 0, 4096, false));
            assertEquals("mmap " + file + ": Permission denied (EACCES)", e.getMessage());
        }
    }
}
