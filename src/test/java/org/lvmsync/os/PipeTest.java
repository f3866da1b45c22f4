package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipeTest {
    private static final int O_CLOEXEC = 02000000;

    @TempDir
    Path dir;

    @Test
    void bytesWrittenComeOutOfTheReadEndAndAreCountedUntilRead() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open()) {
            MemorySegment out = arena.allocateFrom("through the pipe", StandardCharsets.US_ASCII);
            pipe.writeEnd().write(out);
            assertEquals(out.byteSize(), pipe.unread());
            MemorySegment in = arena.allocate(100);
            assertEquals(out.byteSize(), pipe.readEnd().read(in));
            assertEquals(-1, in.asSlice(0, out.byteSize()).mismatch(out));
            assertEquals(0, pipe.unread());
            pipe.writeEnd().close();
            assertEquals(0, pipe.readEnd().read(in), "end of file once the write end is closed");
        }
    }

    @Test
    void bothEndsAreCloseOnExec() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            for (Fd end : new Fd[] {pipe.readEnd(), pipe.writeEnd()}) {
                String info = Files.readString(Path.of("/proc/self/fdinfo/" + end.raw()));
                String flags = info.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
                int value = Integer.parseInt(flags.substring("flags:".length()).trim(), 8);
                assertTrue((value & O_CLOEXEC) != 0, end + ": " + flags);
            }
        }
    }

    @Test
    void writingWithNoReaderLeftIsEpipeNotAHang() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open()) {
            pipe.readEnd().close();
            assertFalse(pipe.readEnd().isOpen());
            ErrnoException e = assertThrows(ErrnoException.class, () -> pipe.writeEnd().write(arena.allocate(10)));
            assertTrue(e.getMessage().contains("(EPIPE)"), e.getMessage());
            assertTrue(e.getMessage().startsWith("write pipe write end"), e.getMessage());
        }
    }

    @Test
    void theProcPathOpensTheSameReadEndAgain() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open()) {
            try (Fd again = Fd.open(Path.of(pipe.readEndProcPath()), Fd.O_RDONLY)) {
                pipe.readEnd().close();
                pipe.writeEnd().write(arena.allocateFrom("x", StandardCharsets.US_ASCII));
                MemorySegment in = arena.allocate(8);
                assertEquals(2, again.read(in));
                assertEquals('x', in.get(ValueLayout.JAVA_BYTE, 0));
            }
        }
    }

    @Test
    void capacityCanGrowAndFollowsThePipeThroughEitherEnd() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            assertTrue(pipe.capacity() >= 4096);
            int set = pipe.resize(256 * 1024);
            assertTrue(set >= 256 * 1024, "capacity " + set);
            pipe.writeEnd().close();
            assertEquals(set, pipe.capacity(), "asked through the read end");
        }
    }

    @Test
    void closeIsIdempotentAndClosesBothEnds() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.close();
        pipe.close();
        assertFalse(pipe.readEnd().isOpen());
        assertFalse(pipe.writeEnd().isOpen());
        assertThrows(IllegalStateException.class, pipe::unread);
    }

    @Test
    void vmsplicedPagesArriveIntact() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open()) {
            MemorySegment src = AlignedBuffer.allocate(arena, 16384);
            for (int i = 0; i < src.byteSize(); i++) {
                src.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
            Splice.vmspliceFully(pipe.writeEnd(), src, 0);
            assertEquals(src.byteSize(), pipe.unread());
            MemorySegment dst = arena.allocate(src.byteSize());
            long got = 0;
            while (got < dst.byteSize()) {
                got += pipe.readEnd().read(dst.asSlice(got));
            }
            assertEquals(-1, dst.mismatch(src));
        }
    }

    /** Why the sender does not vmsplice its reused read buffer: the pipe holds the pages, not a copy. */
    @Test
    void vmsplicedPagesChangedBeforeTheyAreReadArriveChanged() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open()) {
            MemorySegment buffer = AlignedBuffer.allocate(arena, 4096).fill((byte) 1);
            Splice.vmspliceFully(pipe.writeEnd(), buffer, 0);
            buffer.fill((byte) 2);   // the next read into the same buffer
            MemorySegment got = arena.allocate(4096);
            assertEquals(4096, pipe.readEnd().read(got));
            assertEquals(2, got.get(ValueLayout.JAVA_BYTE, 0), "the reader saw the overwritten page");
        }
    }

    @Test
    void releasedPagesKeepTheirDataForTheReaderWhileTheBufferIsReused() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open()) {
            MemorySegment buffer = AlignedBuffer.allocate(arena, 8192).fill((byte) 1);
            Splice.vmspliceAndRelease(pipe.writeEnd(), buffer);
            assertEquals(0, buffer.get(ValueLayout.JAVA_BYTE, 0), "fresh zero pages after release");
            buffer.fill((byte) 2);
            MemorySegment got = arena.allocate(8192);
            long n = 0;
            while (n < got.byteSize()) {
                n += pipe.readEnd().read(got.asSlice(n));
            }
            assertEquals(-1, got.mismatch(arena.allocate(8192).fill((byte) 1)));
            assertThrows(IllegalArgumentException.class,
                    () -> Splice.vmspliceAndRelease(pipe.writeEnd(), buffer.asSlice(1, 4096)));
        }
    }

    @Test
    void vmspliceRefusesHeapMemory() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            assertThrows(IllegalArgumentException.class,
                    () -> Splice.vmsplice(pipe.writeEnd(), MemorySegment.ofArray(new byte[8]), 0));
        }
    }

    @Test
    void spliceMovesFileBytesIntoAPipeAndOutToAFileAtOffsets() throws Exception {
        Path source = dir.resolve("source");
        byte[] data = new byte[3 * 4096];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i / 4096 + 1);
        }
        Files.write(source, data);
        Path target = dir.resolve("target");
        try (Pipe pipe = Pipe.open();
             Fd in = Fd.open(source, Fd.O_RDONLY);
             Fd out = Fd.open(target, Fd.O_RDWR | Fd.O_CREAT)) {
            assertEquals(4096, Splice.splice(in, 4096, pipe.writeEnd(), -1, 4096, Splice.SPLICE_F_MOVE));
            assertEquals(4096, pipe.unread());
            assertEquals(4096, Splice.splice(pipe.readEnd(), -1, out, 8192, 4096, 0));
            assertEquals(0, pipe.unread());
            assertEquals(0, Splice.splice(in, data.length, pipe.writeEnd(), -1, 4096, 0), "end of the input");
        }
        byte[] written = Files.readAllBytes(target);
        assertEquals(3 * 4096, written.length);
        assertEquals(0, written[4095]);
        assertEquals(2, written[8192]);
        assertEquals(2, written[written.length - 1]);
    }

    @Test
    void spliceBetweenTwoFilesIsRefusedWithTheirNames() throws Exception {
        Path a = Files.write(dir.resolve("a"), new byte[10]);
        try (Fd in = Fd.open(a, Fd.O_RDONLY); Fd out = Fd.open(dir.resolve("b"), Fd.O_RDWR | Fd.O_CREAT)) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> Splice.splice(in, 0, out, 0, 10, 0));
            assertTrue(e.getMessage().contains(a + " -> "), e.getMessage());
        }
    }
}
