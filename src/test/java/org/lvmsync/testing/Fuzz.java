package org.lvmsync.testing;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * A small fuzz runner for plain JUnit tests: runs a property on generated cases, each from
 * its own seed, for a bounded number of cases and a bounded time, so it fits the host
 * test run. A fresh base seed each run explores new inputs; a failure names the base seed
 * and the case, which reproduce it exactly:
 *
 * <pre>
 *   mvn test -Dtest=DecoderFuzzTest -Dlvmsync.fuzz.seed=SEED -Dlvmsync.fuzz.case=N
 *   mvn test -Dtest=DecoderFuzzTest -Dlvmsync.fuzz.scale=100     # a longer soak
 * </pre>
 */
public final class Fuzz {
    /** Time cap per property, whatever the scale. */
    static final long DEFAULT_SECONDS = 3;

    public interface Property {
        void check(Random rnd) throws Exception;
    }

    private Fuzz() {
    }

    /**
     * Runs {@code tries} cases (times {@code lvmsync.fuzz.scale}) or until the time cap.
     *
     * @return the cases run
     */
    public static int run(String name, int tries, Property property) {
        long base = Long.getLong("lvmsync.fuzz.seed", new SplittableRandom().nextLong());
        long only = Long.getLong("lvmsync.fuzz.case", -1);
        long cases = (long) tries * Long.getLong("lvmsync.fuzz.scale", 1);
        long deadline = System.nanoTime() + Long.getLong("lvmsync.fuzz.seconds", DEFAULT_SECONDS) * 1_000_000_000L;
        long started = System.nanoTime();
        int run = 0;
        for (long i = only >= 0 ? only : 0; i < (only >= 0 ? only + 1 : cases); i++) {
            if (only < 0 && System.nanoTime() > deadline) {
                break;
            }
            Random rnd = new Random(new SplittableRandom(base + i * 0x9E3779B97F4A7C15L).nextLong());
            try {
                property.check(rnd);
            } catch (Throwable t) {
                throw new AssertionError(name + " failed on case " + i + " (reproduce: -Dlvmsync.fuzz.seed=" + base
                        + " -Dlvmsync.fuzz.case=" + i + "): " + t, t);
            }
            run++;
        }
        System.out.printf("fuzz: %s: %d cases in %.1f s (seed %d)%n", name, run,
                (System.nanoTime() - started) / 1e9, base);
        return run;
    }
}
