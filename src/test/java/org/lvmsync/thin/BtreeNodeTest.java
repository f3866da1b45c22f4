package org.lvmsync.thin;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Node and superblock decoding and validation on hand-made blocks (no tools needed). */
class BtreeNodeTest {
    private static final long[] KEYS = {3, 4, 9};
    private static final long[] VALUES = {(7L << 24) | 1, (8L << 24) | 1, (20L << 24) | 2};

    private static BtreeNode read(ByteBuffer b, long location) {
        return new NodeReader(BlockSource.of("img", Blocks.segment(pad(b, location)))).node(location, -2, "tree", 8);
    }

    /** An image with {@code b} at {@code location} and zero blocks before it. */
    private static ByteBuffer[] pad(ByteBuffer b, long location) {
        ByteBuffer[] blocks = new ByteBuffer[(int) location + 1];
        for (int i = 0; i < location; i++) {
            blocks[i] = Blocks.block();
        }
        blocks[(int) location] = b;
        return blocks;
    }

    private static String refusal(ByteBuffer b, long location) {
        CorruptPoolMetadataException e = assertThrows(CorruptPoolMetadataException.class, () -> read(b, location));
        assertEquals(location, e.block());
        assertTrue(e.getMessage().startsWith("img: metadata block " + location + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void decodesALeaf() {
        BtreeNode n = read(Blocks.node(2, 2, 252, KEYS, VALUES), 2);
        assertTrue(n.isLeaf());
        assertEquals(3, n.size());
        assertEquals(252, n.maxEntries());
        assertEquals(9, n.key(2));
        assertEquals(20, Layout.dataBlock(n.value(2)));
        assertEquals(2, Layout.time(n.value(2)));
        assertEquals(32 + 8 * 252 + 8 * 2, n.valueOffset(2));
    }

    @Test
    void checksumMustMatch() {
        ByteBuffer b = Blocks.node(1, 2, 252, KEYS, VALUES);
        b.putLong(32, 2); // after sealing
        assertTrue(refusal(b, 1).contains("btree node checksum is 0x"));
    }

    @Test
    void superblockSaltIsNotANodeSalt() {
        ByteBuffer b = Blocks.node(1, 2, 252, KEYS, VALUES);
        Blocks.seal(b, 160774);
        assertTrue(refusal(b, 1).contains("checksum"));
    }

    @Test
    void blockNumberMustBeItsOwn() {
        assertTrue(refusal(Blocks.node(5, 2, 252, KEYS, VALUES), 1).contains("the node says it is block 5"));
    }

    @Test
    void flagsValueSizeAndEntries() {
        assertTrue(refusal(Blocks.node(1, 0, 252, KEYS, VALUES), 1).contains("flags are 0x0"));
        assertTrue(refusal(Blocks.node(1, 3, 252, KEYS, VALUES), 1).contains("flags are 0x3"));
        assertTrue(refusal(Blocks.node(1, 2, 255, KEYS, VALUES), 1).contains("max_entries is 255, but 254"));
    }

    @Test
    void tooManyEntriesOrNone() {
        ByteBuffer b = Blocks.node(1, 2, 3, KEYS, VALUES);
        b.putInt(16, 4);
        Blocks.seal(b, 121107);
        assertTrue(refusal(b, 1).contains("nr_entries 4 exceeds max_entries 3"));
        assertTrue(refusal(Blocks.node(1, 1, 252, new long[0], new long[0]), 1).contains("an internal node with no entries"));
    }

    @Test
    void wrongValueSize() {
        ByteBuffer b = Blocks.node(1, 2, 252, KEYS, VALUES);
        b.putInt(24, 24);
        Blocks.seal(b, 121107);
        assertTrue(refusal(b, 1).contains("leaf value size is 24 bytes, expected 8"));
    }

    @Test
    void keysStrictlyAscending() {
        assertTrue(refusal(Blocks.node(1, 2, 252, new long[] {3, 3}, new long[] {1, 2}), 1)
                .contains("keys are not ascending: key 1 is 3 after 3"));
        assertTrue(refusal(Blocks.node(1, 2, 252, new long[] {-1}, new long[] {1}), 1).contains("out of range"));
    }

    @Test
    void pointerPastTheEnd() {
        CorruptPoolMetadataException e = assertThrows(CorruptPoolMetadataException.class,
                () -> new NodeReader(BlockSource.of("img", Blocks.segment(Blocks.block()))).node(7, 0, "tree", 8));
        assertEquals("img: metadata block 7: block 0 points at this btree node, but the metadata has only 1 blocks "
                + "(4096 bytes): it is truncated or the pointer is damaged", e.getMessage());
    }

    @Test
    void superblockFields() {
        ByteBuffer b = Blocks.block();
        b.putInt(4, 0).putLong(8, 0).putLong(32, 27022010).putInt(40, 2).putInt(44, 5).putLong(48, 77).putLong(56, 123)
                .putLong(64, 4096).putLong(320, 9).putLong(328, 10).putInt(336, 128).putInt(340, 8).putLong(344, 1000);
        Blocks.seal(b, 160774);
        Superblock sb = new NodeReader(BlockSource.of("img", Blocks.segment(b))).superblock(0, "the start");
        assertEquals(new Superblock(0, 0, 27022010, 2, 5, 77, 123, 4096, 9, 10, 128, 8, 1000, 0, 0, 0), sb);
        assertEquals(65536, sb.dataBlockBytes());
        b.putInt(360, 1);
        Blocks.seal(b, 160774);
        CorruptPoolMetadataException e = assertThrows(CorruptPoolMetadataException.class,
                () -> new NodeReader(BlockSource.of("img", Blocks.segment(b))).superblock(0, "the start"));
        assertTrue(e.getMessage().contains("incompatible feature flags 0x1"), e.getMessage());
    }
}
