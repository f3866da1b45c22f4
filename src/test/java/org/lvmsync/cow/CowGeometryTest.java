package org.lvmsync.cow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CowGeometryTest {
    @Test
    void fourKibChunks() {
        assertEquals(4096, CowGeometry.chunkBytes(8));
        assertEquals(256, CowGeometry.exceptionsPerArea(4096));
        assertEquals(1, CowGeometry.areaChunk(0, 256));
        assertEquals(258, CowGeometry.areaChunk(1, 256));
        assertEquals(515, CowGeometry.areaChunk(2, 256));
        assertEquals(258L * 4096, CowGeometry.areaOffset(1, 4096));
    }

    @Test
    void sixtyFourKibChunks() {
        assertEquals(4096, CowGeometry.exceptionsPerArea(65536));
        assertEquals(1 + 4097L * 3, CowGeometry.areaChunk(3, 4096));
        assertEquals((1 + 4097L) * 65536, CowGeometry.areaOffset(1, 65536));
    }

    @Test
    void metadataChunks() {
        assertTrue(CowGeometry.isMetadataChunk(0, 256));
        assertTrue(CowGeometry.isMetadataChunk(1, 256));
        assertFalse(CowGeometry.isMetadataChunk(2, 256));
        assertFalse(CowGeometry.isMetadataChunk(257, 256));
        assertTrue(CowGeometry.isMetadataChunk(258, 256));
        assertFalse(CowGeometry.isMetadataChunk(259, 256));
    }

    @Test
    void originOffsetDoesNotOverflowForLargeChunks() {
        assertEquals(3_000_000_000L * 65536, CowGeometry.originOffset(3_000_000_000L, 65536));
    }
}
