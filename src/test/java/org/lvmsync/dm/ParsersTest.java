package org.lvmsync.dm;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Table and status lines as the kernel prints them (SPEC §4, §5), and broken ones. */
class ParsersTest {
    @Test
    void snapshotTable() throws Exception {
        SnapshotTable t = SnapshotTable.from(new Target(0, 2097152, "snapshot", "253:1 253:2 P 8"));
        assertEquals(new DevNo(253, 1), t.origin());
        assertEquals(new DevNo(253, 2), t.cow());
        assertTrue(t.persistent());
        assertEquals(8, t.chunkSectors());
        assertEquals(4096, t.chunkBytes());
        assertEquals(List.of(), t.features());
        SnapshotTable po = SnapshotTable.parse("7:0 7:1 PO 16 2 discard_zeroes_cow discard_passdown_origin");
        assertEquals(List.of("discard_zeroes_cow", "discard_passdown_origin"), po.features());
        assertFalse(SnapshotTable.parse("7:0 7:1 N 8").persistent());
    }

    @Test
    void brokenSnapshotTables() {
        assertThrows(DmFormatException.class, () -> SnapshotTable.parse("253:1 253:2 P"));
        assertThrows(DmFormatException.class, () -> SnapshotTable.parse("253:1 253:2 X 8"));
        assertThrows(DmFormatException.class, () -> SnapshotTable.parse("253:1 253:2 P 12"));
        assertThrows(DmFormatException.class, () -> SnapshotTable.parse("253-1 253:2 P 8"));
        assertThrows(DmFormatException.class, () -> SnapshotTable.parse("253:1 253:2 P 8 2 one"));
        DmFormatException e = assertThrows(DmFormatException.class,
                () -> SnapshotTable.from(new Target(0, 8, "linear", "7:0 0")));
        assertEquals("expected a snapshot or snapshot-merge target, found '0 8 linear 7:0 0'", e.getMessage());
    }

    @Test
    void snapshotOrigin() throws Exception {
        assertEquals(new DevNo(253, 1), SnapshotOriginTable.parse("253:1").real());
        assertThrows(DmFormatException.class, () -> SnapshotOriginTable.parse("253:1 253:2"));
        assertThrows(DmFormatException.class, () -> SnapshotOriginTable.parse(""));
    }

    @Test
    void snapshotStatus() throws Exception {
        SnapshotStatus s = SnapshotStatus.parse("16/2097152 16");
        assertTrue(s.isValid());
        assertEquals(16, s.allocatedSectors());
        assertEquals(2097152, s.totalSectors());
        assertEquals(16, s.metadataSectors());
        assertEquals(SnapshotStatus.State.INVALID, SnapshotStatus.parse("Invalid").state());
        assertFalse(SnapshotStatus.parse("Overflow").isValid());
        assertEquals(SnapshotStatus.State.MERGE_FAILED, SnapshotStatus.parse("Merge failed").state());
        assertEquals(0, SnapshotStatus.parse("32/64").metadataSectors());
        assertThrows(DmFormatException.class, () -> SnapshotStatus.parse("16 2097152 16"));
        assertThrows(DmFormatException.class, () -> SnapshotStatus.parse("x/2 16"));
        assertThrows(DmFormatException.class, () -> SnapshotStatus.parse("Unknown"));
    }

    @Test
    void thinPoolTable() throws Exception {
        ThinPoolTable t = ThinPoolTable.parse("253:1 253:2 128 0 1 skip_block_zeroing");
        assertEquals(new DevNo(253, 1), t.metadata());
        assertEquals(new DevNo(253, 2), t.data());
        assertEquals(128, t.blockSectors());
        assertEquals(65536, t.blockBytes());
        assertEquals(0, t.lowWaterBlocks());
        assertEquals(List.of("skip_block_zeroing"), t.features());
        assertEquals(List.of(), ThinPoolTable.parse("253:1 253:2 128 1024").features());
        assertThrows(DmFormatException.class, () -> ThinPoolTable.parse("253:1 253:2 0 0"));
        assertThrows(DmFormatException.class, () -> ThinPoolTable.parse("253:1 253:2 128"));
    }

    @Test
    void thinTable() throws Exception {
        ThinTable t = ThinTable.from(new Target(0, 20480, "thin", "253:3 1"));
        assertEquals(new DevNo(253, 3), t.pool());
        assertEquals(1, t.deviceId());
        assertEquals(Optional.empty(), t.externalOrigin());
        assertEquals(Optional.of(new DevNo(8, 16)), ThinTable.parse("253:3 7 8:16").externalOrigin());
        assertThrows(DmFormatException.class, () -> ThinTable.parse("253:3"));
        assertThrows(DmFormatException.class, () -> ThinTable.parse("253:3 16777216"));
    }

    @Test
    void thinPoolStatus() throws Exception {
        ThinPoolStatus s = ThinPoolStatus.parse(
                "0 17/1024 0/2048 - rw discard_passdown queue_if_no_space - 1024");
        assertFalse(s.failed());
        assertEquals(0, s.transactionId());
        assertEquals(17, s.usedMetadataBlocks());
        assertEquals(1024, s.totalMetadataBlocks());
        assertEquals(0, s.usedDataBlocks());
        assertEquals(2048, s.totalDataBlocks());
        assertEquals(OptionalLong.empty(), s.heldMetadataRoot());
        assertEquals("rw", s.mode());
        assertFalse(s.needsCheck());
        ThinPoolStatus held = ThinPoolStatus.parse("3 40/1024 10/2048 37 ro no_discard_passdown error_if_no_space needs_check");
        assertEquals(OptionalLong.of(37), held.heldMetadataRoot());
        assertTrue(held.readOnly());
        assertTrue(held.needsCheck());
        assertTrue(ThinPoolStatus.parse("Fail").failed());
        assertThrows(DmFormatException.class, () -> ThinPoolStatus.parse("0 17/1024"));
        assertThrows(DmFormatException.class, () -> ThinPoolStatus.parse("0 17-1024 0/2048 -"));
    }

    @Test
    void deviceNumbers() throws Exception {
        assertEquals("253:1", DevNo.parse("253:1").toString());
        DevNo big = new DevNo(259, 1_048_575);
        assertEquals(big, DevNo.decode(big.encode()));
        assertEquals(new DevNo(7, 0), DevNo.decode(0x700));
        assertThrows(DmFormatException.class, () -> DevNo.parse("253:"));
        assertThrows(DmFormatException.class, () -> DevNo.parse(":1"));
    }
}
