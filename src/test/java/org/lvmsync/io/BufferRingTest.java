package org.lvmsync.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BufferRingTest {
    @Test
    void buffersWrapAroundAndNeverOverlapThoseStillTaken() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(64 * 4096, 4096);
            BufferRing ring = new BufferRing(region, 16);
            ArrayDeque<MemorySegment> taken = new ArrayDeque<>();
            Random random = new Random(3);
            for (int i = 0; i < 10_000; i++) {
                if (!taken.isEmpty() && (random.nextBoolean() || taken.size() == 16)) {
                    taken.poll();
                    ring.releaseOldest();
                    continue;
                }
                MemorySegment b = ring.take(4096L * (1 + random.nextInt(20)));
                if (b == null) {
                    assertTrue(!taken.isEmpty(), "an empty ring refused a buffer that fits");
                    continue;
                }
                for (MemorySegment other : taken) {
                    boolean apart = b.address() + b.byteSize() <= other.address()
                            || other.address() + other.byteSize() <= b.address();
                    assertTrue(apart, "overlap at step " + i);
                }
                assertTrue(b.address() >= region.address()
                        && b.address() + b.byteSize() <= region.address() + region.byteSize());
                taken.add(b);
            }
        }
    }

    @Test
    void aFullRingSaysSoAndAReleaseMakesRoom() {
        try (Arena arena = Arena.ofConfined()) {
            BufferRing ring = new BufferRing(arena.allocate(4 * 4096, 4096), 8);
            assertNotNull(ring.take(3 * 4096));
            assertNull(ring.take(2 * 4096));
            assertNotNull(ring.take(4096));
            ring.releaseOldest();
            assertNotNull(ring.take(2 * 4096)); // wraps to the front
            assertEquals(2, ring.taken());
            assertThrows(IllegalArgumentException.class, () -> ring.take(5 * 4096));
        }
    }
}
