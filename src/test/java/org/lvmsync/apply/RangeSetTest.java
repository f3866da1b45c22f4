package org.lvmsync.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeSetTest {
    private static List<long[]> gaps(RangeSet set, long start, long end) throws IOException {
        List<long[]> out = new ArrayList<>();
        set.forEachGap(start, end, (s, e) -> out.add(new long[] {s, e}));
        return out;
    }

    @Test
    void gapsOfASmallExample() throws IOException {
        RangeSet set = new RangeSet();
        set.add(10, 20);
        set.add(30, 40);
        set.add(20, 25);   // touches [10,20)
        List<long[]> g = gaps(set, 0, 50);
        assertEquals(3, g.size());
        assertEquals(List.of(0L, 10L), List.of(g.get(0)[0], g.get(0)[1]));
        assertEquals(List.of(25L, 30L), List.of(g.get(1)[0], g.get(1)[1]));
        assertEquals(List.of(40L, 50L), List.of(g.get(2)[0], g.get(2)[1]));
        assertTrue(gaps(set, 12, 24).isEmpty());
        assertEquals(1, gaps(set, 24, 26).size());
    }

    @Test
    void agreesWithABitmapOnRandomRanges() throws IOException {
        Random rnd = new Random(42);
        for (int round = 0; round < 20; round++) {
            int universe = 5000;
            boolean[] covered = new boolean[universe];
            RangeSet set = new RangeSet();
            for (int i = 0; i < 300; i++) {
                int s = rnd.nextInt(universe - 1);
                int e = s + 1 + rnd.nextInt(Math.min(200, universe - s - 1) + 1) - 1;
                e = Math.max(e, s + 1);
                // query before adding: the gaps must be exactly the uncovered positions
                boolean[] seen = new boolean[universe];
                long[] last = {-1};
                for (long[] g : gaps(set, s, e)) {
                    assertTrue(g[0] > last[0] && g[0] < g[1], "ordered, non-empty, non-adjacent");
                    last[0] = g[1];
                    for (long p = g[0]; p < g[1]; p++) {
                        seen[(int) p] = true;
                    }
                }
                for (int p = s; p < e; p++) {
                    assertEquals(!covered[p], seen[p], "position " + p);
                }
                set.add(s, e);
                for (int p = s; p < e; p++) {
                    covered[p] = true;
                }
            }
        }
    }

    @Test
    void sortedStreamsStayTiny() {
        RangeSet set = new RangeSet();
        for (long i = 0; i < 100_000; i++) {
            set.add(i * 4096, (i + 1) * 4096);
        }
        assertTrue(set.storedRanges() <= 20, "stored " + set.storedRanges());
    }
}
