package org.lvmsync.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SortedRunsTest {
    private static String show(RunList runs) {
        StringBuilder s = new StringBuilder();
        for (RunList.Cursor c = runs.cursor(); c.next(); ) {
            s.append(c.offset() / runs.unitBytes()).append('+').append(c.length() / runs.unitBytes()).append(' ');
        }
        return s.toString().trim();
    }

    @Test
    void joinsTouchingAndOverlappingRuns() {
        SortedRuns runs = new SortedRuns(65536);
        runs.add(0, 2);
        runs.add(2, 3);     // touches
        runs.add(4, 1);     // inside
        runs.add(3, 4);     // overlaps, reaches further
        runs.add(10, 1);
        runs.add(12, 2);
        RunList list = runs.build();
        assertEquals("0+7 10+1 12+2", show(list));
        assertEquals(10, list.unitCount());
        assertEquals(10 * 65536L, list.totalBytes());
        assertEquals(65536, list.unitBytes());
    }

    @Test
    void aRunOfBillionsOfUnitsCostsAReferencePerPage() {
        // a whole 1.5 TiB device in 512-byte units: 3 * 2^31 + 7 units, not page-aligned
        SortedRuns runs = new SortedRuns(512);
        long units = 3L * Integer.MAX_VALUE + 7;
        runs.add(5, units);
        RunList list = runs.build();
        assertEquals(1, list.runCount());
        assertEquals(units * 512, list.totalBytes());
        assertEquals(5L * 512, list.firstRunOffset());
        assertEquals((5 + units) * 512, list.endOffset());
        assertTrue(list.retainedBytes() < 2 << 20, "full pages are shared: " + list.retainedBytes() + " bytes");
        SortedRuns grow = new SortedRuns(512);
        grow.add(0, Integer.MAX_VALUE - 1);
        grow.add(Integer.MAX_VALUE - 1, 5);
        assertEquals("0+" + (Integer.MAX_VALUE + 4L), show(grow.build()));
    }

    @Test
    void refusesRunsOutOfOrderOrEmpty() {
        SortedRuns runs = new SortedRuns(4096);
        runs.add(10, 1);
        assertThrows(IllegalArgumentException.class, () -> runs.add(9, 5));
        assertThrows(IllegalArgumentException.class, () -> runs.add(11, 0));
        assertThrows(IllegalArgumentException.class, () -> runs.add(-1, 1));
        assertEquals("", show(new SortedRuns(4096).build()));
        runs.build();
        assertThrows(IllegalStateException.class, () -> runs.add(20, 1));
    }
}
