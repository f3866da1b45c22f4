package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.lvmsync.bindings.libc.syscall_h;
import org.lvmsync.bindings.uring.io_uring_h;
import org.lvmsync.bindings.uring.io_uring_params;
import org.lvmsync.bindings.uring.io_uring_sqe;

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

    /**
     * io_uring's rings have no file size to check a mapping against, and the kernel does
     * not always refuse a longer one (6.18 maps the object's pages and leaves the rest to
     * fault): the bound is the size the kernel gave at setup, and the segment ends there.
     * Here the SQE array of a 4-entry ring.
     */
    @Test
    void aKernelObjectIsMappedAtTheSizeTheKernelGaveAndNoFurther() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoState(arena);
            MemorySegment params = io_uring_params.allocate(arena);
            long raw = Native.syscall(errno, syscall_h.SYS_io_uring_setup(), 4, params);
            Assumptions.assumeTrue(raw >= 0, "io_uring not available here (errno " + Native.errno(errno) + ")");
            try (Fd ring = Fd.adopt((int) raw, "io_uring")) {
                long sqes = io_uring_sqe.sizeof() * io_uring_params.sq_entries(params);
                try (Mmap map = Mmap.mapKernelObject(ring, io_uring_h.IORING_OFF_SQES(), sqes, false)) {
                    MemorySegment s = map.segment();
                    assertEquals(sqes, s.byteSize());
                    s.set(ValueLayout.JAVA_LONG, sqes - 8, 42L);
                    assertEquals(42L, s.get(ValueLayout.JAVA_LONG, sqes - 8));
                    assertThrows(IndexOutOfBoundsException.class, () -> s.get(ValueLayout.JAVA_BYTE, sqes));
                }
                assertThrows(IllegalArgumentException.class,
                        () -> Mmap.mapKernelObject(ring, io_uring_h.IORING_OFF_SQES() + 100, sqes, false));
            }
        }
    }
}
