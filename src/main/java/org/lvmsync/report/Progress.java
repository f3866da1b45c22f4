package org.lvmsync.report;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.lvmsync.Log;
import org.lvmsync.os.Fd;

/**
 * The progress line on stderr: bytes sent, percent, rate and time left. On a terminal it
 * redraws one line in place at most every {@link #TTY_INTERVAL_NANOS}; elsewhere it
 * stays silent unless -v asked for it, then it prints a full line every
 * {@link #LOG_INTERVAL_NANOS} (a log file should not get a line per megabyte).
 */
public final class Progress {
    public static final long TTY_INTERVAL_NANOS = 250_000_000L;
    public static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long interval;
    private final LongSupplier clock;
    private final long started;
    private long done;
    private long lastShown;
    private boolean shownOnTerminal;

    /**
     * @param out      where lines go, or null for no progress at all
     * @param terminal redraw in place with carriage returns
     */
    public Progress(long total, PrintStream out, boolean terminal, LongSupplier clock) {
        this.total = total;
        this.out = out;
        this.terminal = terminal;
        this.interval = terminal ? TTY_INTERVAL_NANOS : LOG_INTERVAL_NANOS;
        this.clock = clock;
        this.started = clock.getAsLong();
        this.lastShown = started;
    }

    /** Progress for this process: on stderr if it is a terminal and not -q, or with -v. */
    public static Progress forStderr(long total) {
        boolean terminal = stderrIsTerminal();
        boolean wanted = switch (Log.level()) {
            case QUIET -> false;
            case NORMAL -> terminal;
            case VERBOSE, DEBUG -> true;
        };
        return new Progress(total, wanted ? Log.stream() : null, terminal, System::nanoTime);
    }

    /** No output, only counting. */
    public static Progress silent(long total) {
        return new Progress(total, null, false, System::nanoTime);
    }

    public void add(long bytes) {
        done += bytes;
        if (out == null) {
            return;
        }
        long now = clock.getAsLong();
        if (now - lastShown >= interval) {
            lastShown = now;
            show(now);
        }
    }

    public long done() {
        return done;
    }

    /** Nanoseconds since this progress began. */
    public long elapsedNanos() {
        return clock.getAsLong() - started;
    }

    /** Ends the in-place line so later messages start on a fresh one. */
    public void finish() {
        if (out != null && shownOnTerminal) {
            show(clock.getAsLong());
            out.println();
        }
    }

    private void show(long now) {
        String line = line(done, total, now - started);
        if (terminal) {
            // pad so a shorter line fully covers the previous one
            out.print("\r" + String.format("%-72s", line));
            out.flush();
            shownOnTerminal = true;
        } else {
            out.println(line);
        }
    }

    /**
     * {@code 1.2 GiB / 10.0 GiB  12.0%  105.3 MiB/s  ETA 0:01:23}; with a negative (unknown)
     * total, as for a stream read from stdin, only {@code 1.2 GiB  105.3 MiB/s}.
     */
    static String line(long done, long total, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        if (total < 0) {
            return String.format(Locale.ROOT, "%s  %s/s", bytes(done), bytes((long) rate));
        }
        double percent = total > 0 ? 100.0 * done / total : 100.0;
        String eta = rate > 0 ? duration((long) ((total - done) / rate)) : "--:--:--";
        return String.format(Locale.ROOT, "%s / %s  %5.1f%%  %s/s  ETA %s",
                bytes(done), bytes(total), percent, bytes((long) rate), eta);
    }

    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String duration(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    /**
     * The original's closing words: {@code Transferred N bytes in S seconds} and, when
     * anything was sent, {@code You transferred your changes Rx faster than a full dd!}
     * with R = device size / bytes sent.
     */
    public static String[] summary(long bytesSent, long elapsedNanos, long deviceSize) {
        String first = String.format(Locale.ROOT, "Transferred %d bytes in %.2f seconds", bytesSent, elapsedNanos / 1e9);
        if (bytesSent <= 0) {
            return new String[] {first};
        }
        String ratio = String.format(Locale.ROOT, "%.1f", (double) deviceSize / bytesSent);
        return new String[] {first, "You transferred your changes " + ratio + "x faster than a full dd!"};
    }

    static boolean stderrIsTerminal() {
        return Fd.stderr().isTerminal();
    }
}
