package org.lvmsync.thin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DmFormatException;
import org.lvmsync.dm.ThinPoolStatus;
import org.lvmsync.os.ErrnoException;

/** The metadata snapshot's life on a pool that behaves like dm-thin: one held at most, EBUSY, EINVAL. */
class HeldMetadataTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream saved;

    /** A pool: reserve puts the snapshot at block 31, a second reserve is EBUSY, release without one EINVAL. */
    static class FakePool implements PoolControl {
        final List<String> messages = new ArrayList<>();
        long held;
        boolean failStatusAfterReserve;
        boolean failRelease;

        @Override
        public String dmName() {
            return "vg-pool-tpool";
        }

        @Override
        public ThinPoolStatus status() throws IOException {
            if (failStatusAfterReserve && held != 0) {
                throw new IOException("status failed");
            }
            try {
                return ThinPoolStatus.parse("3 113/1024 3/1024 " + (held == 0 ? "-" : held) + " rw discard_passdown"
                        + " queue_if_no_space - 256");
            } catch (DmFormatException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void message(String text) throws IOException {
            messages.add(text);
            switch (text) {
                case HeldMetadata.RESERVE -> {
                    if (held != 0) {
                        throw new ErrnoException("device-mapper message", dmName(), 16);
                    }
                    held = 31;
                }
                case HeldMetadata.RELEASE -> {
                    if (held == 0 || failRelease) {
                        throw new ErrnoException("device-mapper message", dmName(), 22);
                    }
                    held = 0;
                }
                default -> throw new AssertionError(text);
            }
        }
    }

    private final FakePool pool = new FakePool();

    @BeforeEach
    void capture() {
        saved = Log.stream();
        Log.setStream(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        Log.setStream(saved);
    }

    @Test
    void reservesReadsTheRootAndReleasesOnce() throws IOException {
        try (HeldMetadata held = HeldMetadata.reserve(pool, "vg/pool")) {
            assertEquals(31, held.root());
            assertEquals(31, pool.held);
            held.close();
            assertEquals(0, pool.held);
        }
        assertEquals(List.of(HeldMetadata.RESERVE, HeldMetadata.RELEASE), pool.messages, "released once");
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void releasedWhenTheWalkFails() {
        assertThrows(IllegalStateException.class, () -> {
            try (HeldMetadata held = HeldMetadata.reserve(pool, "vg/pool")) {
                throw new IllegalStateException("walk failed");
            }
        });
        assertEquals(0, pool.held);
    }

    @Test
    void oneHeldBySomeoneElseIsRefusedAndLeftHeld() {
        pool.held = 77;
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> HeldMetadata.reserve(pool, "vg/pool"));
        assertEquals(FailureClass.SNAPSHOT_UNUSABLE, e.failureClass());
        assertTrue(e.getMessage().startsWith("thin pool vg/pool already has a metadata snapshot held (at block 77)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("'dmsetup message vg-pool-tpool 0 release_metadata_snap'"), e.getMessage());
        assertEquals(List.of(), pool.messages, "not even a reserve");
        assertEquals(77, pool.held);
    }

    @Test
    void takenBySomeoneElseInTheMeantimeIsRefusedAndLeftHeld() {
        FakePool racing = new FakePool() {
            private boolean first = true;

            @Override
            public ThinPoolStatus status() throws IOException {
                ThinPoolStatus s = super.status();
                if (first) {
                    first = false;
                    held = 55; // another program reserves right after our look
                }
                return s;
            }
        };
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> HeldMetadata.reserve(racing, "vg/pool"));
        assertTrue(e.getMessage().contains("(at block 55)"), e.getMessage());
        assertEquals(List.of(HeldMetadata.RESERVE), racing.messages);
        assertEquals(55, racing.held);
    }

    @Test
    void aStatusFailureAfterTheReserveStillReleases() {
        pool.failStatusAfterReserve = true;
        assertThrows(IOException.class, () -> HeldMetadata.reserve(pool, "vg/pool"));
        assertEquals(List.of(HeldMetadata.RESERVE, HeldMetadata.RELEASE), pool.messages);
        assertEquals(0, pool.held);
    }

    @Test
    void oneReplacedBySomeoneElseIsNotReleased() throws IOException {
        HeldMetadata held = HeldMetadata.reserve(pool, "vg/pool");
        pool.held = 99; // someone released ours and took their own
        held.close();
        assertEquals(99, pool.held);
        assertEquals(List.of(HeldMetadata.RESERVE), pool.messages);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("replaced by one at block 99"), err.toString());
    }

    @Test
    void aFailedReleaseIsAWarningNamingTheCommand() throws IOException {
        HeldMetadata held = HeldMetadata.reserve(pool, "vg/pool");
        pool.failRelease = true;
        held.close();
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("lvmsync: could not release the metadata snapshot of thin pool vg/pool")
                && said.contains("'dmsetup message vg-pool-tpool 0 release_metadata_snap'"), said);
    }
}
