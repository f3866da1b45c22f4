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
        assertEquals(9 * 4096, list.offset(2));
        assertEquals(2 * 4096, list.length(2));
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
        assertTrue(list.retainedBytes() <= 12L * exceptions + 100, "retained " + list.retainedBytes());
    }
}
