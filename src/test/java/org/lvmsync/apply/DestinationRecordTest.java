package org.lvmsync.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.stream.SnapshotIdentity;

/** The destination record: round trips, alternating slots, a torn slot, a damaged file. */
class DestinationRecordTest {
    static final SnapshotIdentity S1 = SnapshotIdentity.classic("vg/lv-snap", "LVM-aaaa", "LVM-origin");
    static final SnapshotIdentity T2 = SnapshotIdentity.thin("vg/thin snap 2", "LVM-bbbb", "LVM-thin", "LVM-pool", 7, 99);

    @TempDir
    Path dir;

    @Test
    void statesComeBackAsWritten() throws IOException {
        DestinationState a = new DestinationState(Optional.of(S1), Optional.empty());
        DestinationState b = a.withRun(new DestinationState.Run(UUID.randomUUID(), Optional.of(T2), 1L << 40));
        DestinationState c = b.completed(Optional.of(T2));
        try (DestinationRecord r = DestinationRecord.open(dir, "dm-LVM-xyz")) {
            assertEquals(DestinationState.UNKNOWN, r.read(), "a new record knows nothing");
            for (DestinationState s : new DestinationState[] {a, b, c, DestinationState.UNKNOWN, b}) {
                r.write(s);
                try (DestinationRecord again = DestinationRecord.open(dir, "dm-LVM-xyz")) {
                    assertEquals(s, again.read());
                }
            }
        }
        assertEquals(2 * DestinationRecord.SLOT, Files.size(dir.resolve("dm-LVM-xyz.state")), "two slots, in place");
    }

    @Test
    void aTornWriteLeavesThePreviousRecord() throws IOException {
        DestinationState older = new DestinationState(Optional.of(S1), Optional.empty());
        DestinationState newer = older.withRun(new DestinationState.Run(UUID.randomUUID(), Optional.of(T2), 4096));
        Path file;
        try (DestinationRecord r = DestinationRecord.open(dir, "file-/srv/vm.img")) {
            r.write(older);   // slot 0
            r.write(newer);   // slot 1
            file = r.path();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(DestinationRecord.SLOT + 40);   // tear the newer slot
            f.write(new byte[] {'#', '#'});
        }
        try (DestinationRecord r = DestinationRecord.open(dir, "file-/srv/vm.img")) {
            assertEquals(older, r.read());
            r.write(newer);   // goes to the torn slot, not over the good one
            try (DestinationRecord again = DestinationRecord.open(dir, "file-/srv/vm.img")) {
                assertEquals(newer, again.read());
            }
        }
    }

    @Test
    void aRecordWithNoValidSlotIsRefused() throws IOException {
        Path file = dir.resolve(DestinationRecord.fileName("dev-/dev/sdb"));
        Files.write(file, "not a record".getBytes());
        try (DestinationRecord r = DestinationRecord.open(dir, "dev-/dev/sdb")) {
            LvmsyncException e = assertThrows(LvmsyncException.class, r::read);
            assertEquals(FailureClass.DESTINATION, e.failureClass());
            assertTrue(e.getMessage().startsWith("the destination record " + file + " is damaged"), e.getMessage());
        }
    }

    @Test
    void fileNamesAreReadableAndDistinct() {
        assertEquals("dm-LVM-abc.state", DestinationRecord.fileName("dm-LVM-abc"));
        assertEquals("file-%2Fsrv%2Fa_b.state", DestinationRecord.fileName("file-/srv/a_b"));
        assertTrue(!DestinationRecord.fileName("file-/srv/a/b").equals(DestinationRecord.fileName("file-/srv/a_b")));
        String longName = DestinationRecord.fileName("file-/" + "x".repeat(500));
        assertTrue(longName.length() < 255, longName);
        assertTrue(!longName.equals(DestinationRecord.fileName("file-/" + "x".repeat(501))));
    }
}
