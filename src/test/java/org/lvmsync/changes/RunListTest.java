package org.lvmsync.changes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunListTest {
    private static List<long[]> runs(RunList list) throws IOException {
        List<long[]> out = new ArrayList<>();
        list.forEach((offset, length) -> out.add(new long[] {offset, length}));
        return out;
    }

    private static RunList build(long unit, long... units) {
        RunList.Builder b = RunList.builder(unit);
        for (long u : units) {
            b.add(u);
        }
        return b.build();
    }

    @Test
    void emptyBuilderGivesEmptyList() throws IOException {
        RunList list = RunList.builder(4096).build();
        assertTrue(list.isEmpty());
        assertEquals(0, list.totalBytes());
        assertEquals(0, list.endOffset());
        assertEquals(List.of(), runs(list));
    }

    @Test
    void sortsDeduplicatesAndCoalesces() throws IOException {
        RunList list = build(4096, 9, 3, 4, 5, 4, 100, 0, 10, 1);
        long[][] expected = {{0, 2 * 4096}, {3 * 4096, 3 * 4096}, {9 * 4096, 2 * 4096}, {100 * 4096, 4096}};
        assertArrayEquals(expected, runs(list).toArray(new long[0][]));
        assertEquals(4, list.runCount());
        assertEquals(100 * 4096, list.lastRunOffset());
        assertEquals(0, list.firstRunOffset());
        assertEquals(8, list.unitCount());         // 0,1,3,4,5,9,10,100 (4 once)
        assertEquals(8 * 4096, list.totalBytes());
        assertEquals(101 * 4096, list.endOffset());
    }

    @Test
    void runsAreAscendingAndDisjointForRandomInput() throws IOException {
        Random random = new Random(42);
        boolean[] present = new boolean[5000];
        RunList.Builder b = RunList.builder(65536);
        for (int i = 0; i < 20000; i++) {
            int u = random.nextInt(present.length);
            present[u] = true;
            b.add(u);
        }
        RunList list = b.build();
        boolean[] seen = new boolean[present.length];
        long[] prevEnd = {-1};
        list.forEach((offset, length) -> {
            assertTrue(offset > prevEnd[0], "runs must not touch or overlap");
            assertEquals(0, offset % 65536);
            for (long o = offset; o < offset + length; o += 65536) {
                seen[(int) (o / 65536)] = true;
            }
            prevEnd[0] = offset + length;
        });
        for (int i = 0; i < present.length; i++) {
            assertEquals(present[i], seen[i], "unit " + i);
        }
    }

    @Test
    void rejectsNegativeAndOverflowingUnits() {
        RunList.Builder b = RunList.builder(4096);
        assertThrows(IllegalArgumentException.class, () -> b.add(-1));
        assertThrows(IllegalArgumentException.class, () -> b.add(Long.MAX_VALUE / 4096));
        assertThrows(IllegalArgumentException.class, () -> b.add(1L << 47));
        assertThrows(IllegalArgumentException.class, () -> RunList.builder(0));
    }

    @Test
    void builderIsSpentAfterBuild() {
        RunList.Builder b = RunList.builder(4096);
        for (int i = 0; i < 1024; i++) {
            b.add(i);
        }
        b.build();
        assertThrows(IllegalStateException.class, () -> b.add(5000));
    }

    /** A full 10 GiB COW of scattered 4 KiB chunks: 2.6 million exceptions, none adjacent. */
    @Test
    void scatteredTenGibCowStaysCompact() {
        int exceptions = 2_621_440;
        RunList.Builder b = RunList.builder(4096);
        for (int i = 0; i < exceptions; i++) {
            // every other chunk of a 20 GiB origin, in a scrambled order (the multiplier is
            // coprime with the count, so this is a permutation): no two chunks adjacent
            b.add(2L * ((i * 2_654_435_761L) % exceptions));
        }
        RunList list = b.build();
        assertEquals(exceptions, list.runCount());
        assertEquals((long) exceptions * 4096, list.totalBytes());
        // 20 GiB of origin at one bit per chunk: 640 KiB (the array of runs took 31.5 MB)
        assertTrue(list.retainedBytes() <= (20L << 30) / 4096 / 8 + 4096, "retained " + list.retainedBytes());
    }

    /** Few changes spread over a huge origin stay at about 2 bytes each, not a bitmap of the origin. */
    @Test
    void sparseChangesOnAHugeOriginCostTwoBytesEach() throws IOException {
        RunList.Builder b = RunList.builder(4096);
        long units = 16L << 40 >>> 12;          // a 16 TiB origin
        int changes = 100_000;
        for (int i = 0; i < changes; i++) {
            b.add((i * 7_919L * 1_000_003L) % units | 1); // odd units: none adjacent
        }
        RunList list = b.build();
        assertEquals(changes, list.unitCount());
        assertEquals(changes, list.runCount());
        assertTrue(list.retainedBytes() < 2L * changes + 64 * 65536 + 8 * units / 65536,
                "retained " + list.retainedBytes());
    }

    /** A run that crosses page boundaries is one run; dense and sparse pages meet correctly. */
    @Test
    void runsCrossPagesAndMixedPagesAgreeWithAReference() throws IOException {
        Random random = new Random(5);
        java.util.BitSet reference = new java.util.BitSet();
        RunList.Builder b = RunList.builder(512);
        for (long u = 65_000; u < 200_000; u++) {       // one long run across three pages
            b.add(u);
            reference.set((int) u);
        }
        for (int i = 0; i < 50_000; i++) {              // a busy page (bitmap) and a quiet one
            int u = i % 5 == 0 ? 300_000 + random.nextInt(1000) : 262_144 + random.nextInt(65_536);
            b.add(u);
            reference.set(u);
        }
        b.add(1L << 40);                                  // far away, alone
        RunList list = b.build();
        List<long[]> expected = new ArrayList<>();
        for (int at = reference.nextSetBit(0); at >= 0; ) {
            int end = reference.nextClearBit(at);
            expected.add(new long[] {at * 512L, (end - at) * 512L});
            at = reference.nextSetBit(end);
        }
        expected.add(new long[] {(1L << 40) * 512, 512});
        assertArrayEquals(expected.toArray(new long[0][]), runs(list).toArray(new long[0][]));
        assertEquals(reference.cardinality() + 1, list.unitCount());
        assertEquals(expected.size(), list.runCount());
        assertEquals((1L << 40) * 512 + 512, list.endOffset());
    }
}
