package org.lvmsync.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void lineShowsBytesPercentRateAndEta() {
        // 1 GiB of 4 GiB in 8 s: 128 MiB/s, 24 s left
        assertEquals("1.0 GiB / 4.0 GiB   25.0%  128.0 MiB/s  ETA 0:00:24",
                Progress.line(1L << 30, 4L << 30, 8_000_000_000L));
        assertEquals("0 B / 0 B  100.0%  0 B/s  ETA --:--:--", Progress.line(0, 0, 0));
        assertEquals("1.0 GiB  128.0 MiB/s", Progress.line(1L << 30, -1, 8_000_000_000L));
        assertEquals("1:01:01", Progress.duration(3661));
    }

    @Test
    void summaryMatchesTheOriginalWording() {
        assertArrayEquals(new String[] {"Transferred 1048576 bytes in 2.50 seconds",
            "You transferred your changes 10240.0x faster than a full dd!"},
                Progress.summary(1L << 20, 2_500_000_000L, 10L << 30));
        assertArrayEquals(new String[] {"Transferred 0 bytes in 0.10 seconds"},
                Progress.summary(0, 100_000_000L, 10L << 30));
    }

    @Test
    void terminalRedrawsAreThrottled() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(1000, new PrintStream(bytes, true), true, () -> now[0]);
        for (int i = 0; i < 100; i++) {
            now[0] += 10_000_000L; // 10 ms apart: 1 s in all, four redraws
            p.add(10);
        }
        p.finish();
        String out = bytes.toString();
        assertEquals(5, out.chars().filter(c -> c == '\r').count(), out); // 4 throttled + the final one
        assertTrue(out.endsWith(System.lineSeparator()), "finish ends the line");
        assertEquals(1000, p.done());
    }

    @Test
    void silentProgressPrintsNothing() {
        Progress p = Progress.silent(10);
        p.add(10);
        p.finish();
        assertEquals(10, p.done());
    }
}
