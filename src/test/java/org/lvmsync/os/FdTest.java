package org.lvmsync.os;

import java.io.EOFException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FdTest {
    @TempDir
    Path dir;

    @Test
    void pwriteThenPreadRoundTripsAndSizeFollows() throws Exception {
        Path file = dir.resolve("data");
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(file, Fd.O_RDWR | Fd.O_CREAT)) {
            MemorySegment out = arena.allocateFrom("hello, block device", StandardCharsets.US_ASCII);
            fd.pwriteFully(out, 10_000);
            assertEquals(10_000 + out.byteSize(), fd.size());
            MemorySegment in = arena.allocate(out.byteSize());
            fd.preadFully(in, 10_000);
            assertEquals(-1, in.mismatch(out));
            MemorySegment hole = arena.allocate(16);
            assertEquals(16, fd.pread(hole, 0));
            assertEquals(0, hole.get(ValueLayout.JAVA_LONG, 0));
            FileStat st = fd.stat();
            assertTrue(st.isRegularFile());
            assertFalse(st.isBlockDevice());
            assertEquals(fd.size(), st.size());
            fd.fsync();
            fd.fdatasync();
            fd.flushBlockBuffers();
            fd.fadviseDontNeed(0, 0);
            assertEquals(512, fd.logicalBlockSize());
            assertEquals(512, fd.physicalBlockSize());
        }
        assertEquals(10_000 + 20, Files.size(file));
    }

    @Test
    void openingAMissingFileNamesPathAndErrno() {
        Path missing = dir.resolve("no-such-file");
        ErrnoException e = assertThrows(ErrnoException.class, () -> Fd.open(missing, Fd.O_RDONLY));
        assertEquals("open " + missing + ": No such file or directory (ENOENT)", e.getMessage());
        assertEquals(2, e.errno());
        assertEquals("open", e.operation());
        assertEquals(missing.toString(), e.path());
    }

    @Test
    void exclusiveCreateOfAnExistingFileFails() throws Exception {
        Path file = Files.writeString(dir.resolve("exists"), "x");
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Fd.open(file, Fd.O_WRONLY | Fd.O_CREAT | Fd.O_EXCL));
        assertEquals("open " + file + ": File exists (EEXIST)", e.getMessage());
    }

    @Test
    void createUsesTheGivenMode() throws Exception {
        Path file = dir.resolve("private");
        try (Fd fd = Fd.open(file, Fd.O_WRONLY | Fd.O_CREAT | Fd.O_EXCL, 0600)) {
            assertTrue(fd.raw() > 2);
        }
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)));
    }

    @Test
    void preadFullyPastTheEndSaysWhereTheFileEnded() throws Exception {
        Path file = Files.write(dir.resolve("short"), new byte[100]);
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(file, Fd.O_RDONLY)) {
            EOFException e = assertThrows(EOFException.class, () -> fd.preadFully(arena.allocate(64), 50));
            assertEquals("pread " + file + ": end of file at offset 100 while reading 64 bytes from offset 50",
                    e.getMessage());
        }
    }

    @Test
    void writingToAReadOnlyFdIsEbadf() throws Exception {
        Path file = Files.write(dir.resolve("ro"), new byte[10]);
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(file, Fd.O_RDONLY)) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> fd.pwriteFully(arena.allocate(4), 0));
            assertEquals("pwrite " + file + ": Bad file descriptor (EBADF)", e.getMessage());
        }
    }

    @Test
    void blockIoctlsOnAFileFailWithTheRequestName() throws Exception {
        Path file = Files.write(dir.resolve("file"), new byte[8192]);
        try (Fd fd = Fd.open(file, Fd.O_RDWR)) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> fd.discard(0, 4096));
            assertEquals("BLKDISCARD", e.operation());
            assertTrue(e.getMessage().startsWith("BLKDISCARD " + file + ": "), e.getMessage());
        }
    }

    /**
     * The kernel writes an ioctl's argument in place, as many bytes as the request number
     * encodes: a shorter buffer would let it write past the segment, so the call is refused
     * before it is made (on a file the ioctl itself would only fail with ENOTTY).
     */
    @Test
    void anIoctlArgumentShorterThanTheRequestSaysIsRefusedBeforeTheCall() throws Exception {
        long blkGetSize64 = BlockIoctls.BLKGETSIZE64;
        assertEquals(8, IoctlNumber.size(blkGetSize64));
        assertEquals(0, IoctlNumber.size(BlockIoctls.BLKSSZGET));
        Path file = Files.write(dir.resolve("file"), new byte[8192]);
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.open(file, Fd.O_RDWR)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> fd.ioctl("BLKGETSIZE64", blkGetSize64, arena.allocate(4)));
            assertTrue(e.getMessage().startsWith("BLKGETSIZE64 on " + file + " needs a native argument of at least 8"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> fd.ioctl("BLKGETSIZE64", blkGetSize64, MemorySegment.ofArray(new byte[8])));
            ErrnoException enotty = assertThrows(ErrnoException.class,
                    () -> fd.ioctl("BLKGETSIZE64", blkGetSize64, arena.allocate(8)));
            assertEquals(org.lvmsync.bindings.libc.errno_h.ENOTTY(), enotty.errno());
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsABug() throws Exception {
        Fd fd = Fd.open(Files.write(dir.resolve("c"), new byte[1]), Fd.O_RDONLY);
        fd.close();
        fd.close();
        assertThrows(IllegalStateException.class, fd::size);
    }

    @Test
    void closingStdinDoesNotCloseDescriptorZero() throws Exception {
        Fd.stdin().close();
        Fd.stdout().close();
        try (Fd again = Fd.stdin()) {
            again.stat(); // fstat(0) still works: descriptor 0 is open
        }
    }

    @Test
    void sequentialReadAndWriteThroughAChannel() throws Exception {
        Path file = dir.resolve("chan");
        byte[] data = new byte[200_000];
        new java.util.Random(7).nextBytes(data);
        try (FdChannel out = new FdChannel(Fd.open(file, Fd.O_WRONLY | Fd.O_CREAT | Fd.O_TRUNC))) {
            out.write(ByteBuffer.wrap(data, 0, 100_000)); // heap: bounced
            ByteBuffer direct = ByteBuffer.allocateDirect(100_000).put(data, 100_000, 100_000).flip();
            assertEquals(100_000, out.write(direct));
            assertFalse(direct.hasRemaining());
        }
        assertArrayEquals(data, Files.readAllBytes(file));
        byte[] back = new byte[data.length];
        try (FdChannel in = new FdChannel(Fd.open(file, Fd.O_RDONLY))) {
            ByteBuffer heap = ByteBuffer.wrap(back, 0, 150_000);
            while (heap.hasRemaining()) {
                assertTrue(in.read(heap) > 0);
            }
            ByteBuffer direct = ByteBuffer.allocateDirect(80_000);
            while (in.read(direct) > 0) {
                // until EOF
            }
            assertEquals(-1, in.read(direct));
            direct.flip().get(back, 150_000, direct.remaining());
        }
        assertArrayEquals(data, back);
    }

    @Test
    void directIoOnAlignedBuffers() throws Exception {
        // @TempDir may be tmpfs; target/ is on the build's real filesystem
        Path file = Files.createDirectories(Path.of("target", "fd-test")).resolve("direct-" + ProcessHandle.current().pid());
        try (Arena arena = Arena.ofConfined()) {
            Fd fd;
            try {
                fd = Fd.open(file, Fd.O_RDWR | Fd.O_CREAT | Fd.O_TRUNC | Fd.O_DIRECT);
            } catch (ErrnoException e) {
                org.junit.jupiter.api.Assumptions.abort("filesystem of target/ refuses O_DIRECT: " + e.getMessage());
                return;
            }
            try (fd) {
                MemorySegment out = AlignedBuffer.allocate(arena, 8192);
                for (long i = 0; i < out.byteSize(); i++) {
                    out.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
                }
                assertTrue(AlignedBuffer.isAligned(out));
                fd.pwriteFully(out, 4096);
                MemorySegment in = AlignedBuffer.allocate(arena, 8192);
                fd.preadFully(in, 4096);
                assertEquals(-1, in.mismatch(out));
                // memory alignment rules vary by device (STATX_DIOALIGN); the file offset rule does not
                ErrnoException e = assertThrows(ErrnoException.class, () -> fd.pread(in.asSlice(0, 4096), 1));
                assertEquals(22, e.errno(), e.getMessage()); // EINVAL: O_DIRECT is really on
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void alignedBufferArithmetic() {
        assertEquals(0, AlignedBuffer.alignUp(0));
        assertEquals(4096, AlignedBuffer.alignUp(1));
        assertEquals(4096, AlignedBuffer.alignUp(4096));
        assertEquals(4096, AlignedBuffer.alignDown(8191));
        assertTrue(AlignedBuffer.isAligned(1L << 40));
        assertFalse(AlignedBuffer.isAligned(512));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = AlignedBuffer.allocate(arena, 5000);
            assertEquals(8192, b.byteSize());
            assertEquals(0, b.address() % 4096);
        }
    }

    @Test
    void filesAndPipesAreNotTerminals() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("tty", ".bin");
        try (Fd fd = Fd.open(file, Fd.O_RDONLY)) {
            org.junit.jupiter.api.Assertions.assertFalse(fd.isTerminal());
        } finally {
            java.nio.file.Files.delete(file);
        }
        // surefire's forked JVM talks to Maven over pipes: fd 1 is no terminal there
        org.junit.jupiter.api.Assertions.assertFalse(Fd.stdout().isTerminal());
    }

    @Test
    void aPseudoTerminalIsATerminal() throws Exception {
        java.nio.file.Path ptmx = java.nio.file.Path.of("/dev/ptmx");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(ptmx), "no /dev/ptmx");
        try (Fd fd = Fd.open(ptmx, Fd.O_RDWR)) {
            org.junit.jupiter.api.Assertions.assertTrue(fd.isTerminal());
        }
    }
}
