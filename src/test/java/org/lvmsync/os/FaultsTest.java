package org.lvmsync.os;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.os.Faults.Call;
import org.lvmsync.os.Faults.Fault;

/** The injection seam itself: the N-th call of a kind, in scope only, fails or comes back short. */
class FaultsTest {
    @TempDir
    Path dir;

    @AfterEach
    void disarm() {
        Faults.disarm();
    }

    @Test
    void onByTheTestRunnersArgumentLine() {
        assertTrue(Faults.ENABLED, "surefire's argLine sets -Dlvmsync.faults=true");
    }

    @Test
    void theNthCallFailsWithTheChosenErrnoAndOthersPass() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[8192]);
        String scope = file.toString();
        try (Faults.Plan plan = Faults.arm(scope::equals, Call.PWRITE, 2, new Fault.Fail(errno_h.ENOSPC()));
             Fd fd = Fd.open(file, Fd.O_RDWR);
             Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            fd.pwriteFully(buf, 0);
            ErrnoException e = assertThrows(ErrnoException.class, () -> fd.pwriteFully(buf, 4096));
            assertEquals(errno_h.ENOSPC(), e.errno());
            assertTrue(e.getMessage().startsWith("pwrite " + file + ": No space left on device"), e.getMessage());
            fd.pwriteFully(buf, 4096);
            assertTrue(plan.fired());
            assertEquals(3L, plan.counts().get(Call.PWRITE));
            assertEquals(1L, plan.counts().get(Call.OPEN));
        }
    }

    @Test
    void eintrIsRetriedLikeARealOne() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        try (Faults.Plan plan = Faults.arm(n -> true, Call.FDATASYNC, 1, new Fault.Fail(errno_h.EINTR()));
             Fd fd = Fd.open(file, Fd.O_RDWR)) {
            fd.fdatasync();
            assertTrue(plan.fired());
            assertEquals(2L, plan.counts().get(Call.FDATASYNC), "failed once, then retried");
        }
    }

    @Test
    void shortReturnsAreCompletedByTheLoops() throws Exception {
        byte[] content = new byte[10_000];
        new java.util.Random(1).nextBytes(content);
        Path file = Files.write(dir.resolve("f"), content);
        Path copy = Files.write(dir.resolve("g"), new byte[0]);
        try (Faults.Plan plan = Faults.arm(n -> true, Call.WRITE, 1, new Fault.Short());
             Fd in = Fd.open(file, Fd.O_RDONLY);
             Fd out = Fd.open(copy, Fd.O_WRONLY);
             Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(content.length);
            in.preadFully(buf, 0);
            out.write(buf);
            assertTrue(plan.fired());
            assertEquals(2L, plan.counts().get(Call.WRITE), "the short write, then the rest");
        }
        assertArrayEquals(content, Files.readAllBytes(copy));
    }

    @Test
    void callsOutsideTheScopeAreNotCounted() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[16]);
        try (Faults.Plan plan = Faults.arm(n -> n.endsWith("/other"), Call.OPEN, 1, new Fault.Fail(errno_h.EIO()));
             Fd fd = Fd.open(file, Fd.O_RDONLY)) {
            assertEquals(16, fd.size());
            assertFalse(plan.fired());
            assertEquals(0L, plan.counts().get(Call.OPEN));
        }
    }

    @Test
    void openFailsBeforeADescriptorExists() throws Exception {
        Path file = dir.resolve("new");
        try (Faults.Plan plan = Faults.arm(n -> true, Call.OPEN, 1, new Fault.Fail(errno_h.EIO()))) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> Fd.open(file, Fd.O_WRONLY | Fd.O_CREAT));
            assertEquals("open " + file + ": Input/output error (EIO)", e.getMessage());
        }
        assertFalse(Files.exists(file), "the kernel was never asked");
    }

    /** A failed close loses nothing once what was written is synced, and is then no error. */
    @Test
    void aFailedCloseMattersOnlyForUnsyncedWrites() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[4096]);
        Fault eio = new Fault.Fail(errno_h.EIO());
        try (Arena arena = Arena.ofConfined()) {
            Fd unsynced = Fd.open(file, Fd.O_RDWR);
            unsynced.pwriteFully(arena.allocate(512), 0);
            try (Faults.Plan plan = Faults.arm(file.toString()::equals, Call.CLOSE, 1, eio)) {
                ErrnoException e = assertThrows(ErrnoException.class, unsynced::close);
                assertEquals("close " + file + ": Input/output error (EIO)", e.getMessage());
                assertFalse(unsynced.isOpen());
            }
            Fd synced = Fd.open(file, Fd.O_RDWR);
            synced.pwriteFully(arena.allocate(512), 0);
            synced.fdatasync();
            try (Faults.Plan plan = Faults.arm(file.toString()::equals, Call.CLOSE, 1, eio)) {
                synced.close();
                assertTrue(plan.fired());
            }
            Fd readOnly = Fd.open(file, Fd.O_RDONLY);
            try (Faults.Plan plan = Faults.arm(file.toString()::equals, Call.CLOSE, 1, eio)) {
                readOnly.close();
                assertTrue(plan.fired());
            }
        }
    }

    @Test
    void shortLengthsStayAlignedWhereTheyCan() {
        assertEquals(2048, Faults.shortened(4096));
        assertEquals(512, Faults.shortened(1536));
        assertEquals(255, Faults.shortened(511));
        assertEquals(1, Faults.shortened(1));
    }
}
