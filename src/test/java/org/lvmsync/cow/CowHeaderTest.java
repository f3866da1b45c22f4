package org.lvmsync.cow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.lvmsync.changes.CorruptMetadataException;
import org.lvmsync.FailureClass;

class CowHeaderTest {
    private static CowHeader header(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return CowHeader.read(MemorySegment.ofArray(bytes), 0);
    }

    @Test
    void decodesLittleEndianFieldsInOrder() {
        // "SnAp" magic as the kernel writes it: 53 6e 41 70
        CowHeader h = header(0x53, 0x6e, 0x41, 0x70, 1, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0);
        assertEquals(0x70416e53, h.magic());
        assertEquals(1, h.valid());
        assertEquals(1, h.version());
        assertEquals(8, h.chunkSectors());
        assertEquals(4096, h.chunkBytes());
        h.validate("cow");
    }

    @Test
    void wrongMagicNamesDeviceBlockAndField() {
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                () -> new CowHeader(0x12345678, 1, 1, 8).validate("/dev/mapper/vg-snap-cow"));
        assertEquals("/dev/mapper/vg-snap-cow", e.device());
        assertEquals(0, e.block());
        assertEquals("magic", e.field());
        assertEquals(FailureClass.BAD_INPUT, e.failureClass());
        assertTrue(e.getMessage().contains("0x12345678"), e.getMessage());
        assertTrue(e.getMessage().startsWith("/dev/mapper/vg-snap-cow: chunk 0, magic:"), e.getMessage());
    }

    @Test
    void invalidatedSnapshotTellsWhatToDo() {
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                () -> new CowHeader(CowHeader.MAGIC, 0, 1, 8).validate("cow"));
        assertEquals("valid", e.field());
        assertEquals(FailureClass.SNAPSHOT_UNUSABLE, e.failureClass());
        assertTrue(e.getMessage().contains("overflowed"), e.getMessage());
        assertTrue(e.getMessage().contains("take a new snapshot and copy the whole device"), e.getMessage());
    }

    @Test
    void otherValidValuesAndVersionsAreRefused() {
        assertEquals("valid", assertThrows(CorruptMetadataException.class,
                () -> new CowHeader(CowHeader.MAGIC, 7, 1, 8).validate("cow")).field());
        assertEquals("version", assertThrows(CorruptMetadataException.class,
                () -> new CowHeader(CowHeader.MAGIC, 1, 2, 8).validate("cow")).field());
    }

    @Test
    void chunkSizeMustBeAPowerOfTwoInRange() {
        for (int bad : new int[] {0, 3, 24, 1 << 22, -8}) {
            assertEquals("chunk_size", assertThrows(CorruptMetadataException.class,
                    () -> new CowHeader(CowHeader.MAGIC, 1, 1, bad).validate("cow")).field(), "sectors " + bad);
        }
        new CowHeader(CowHeader.MAGIC, 1, 1, 1).validate("cow");
        new CowHeader(CowHeader.MAGIC, 1, 1, 1 << 21).validate("cow");
    }
}
