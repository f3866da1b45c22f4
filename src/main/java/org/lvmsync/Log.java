package org.lvmsync;

import java.io.PrintStream;

/**
 * Messages for the person at the terminal. Everything goes to stderr: stdout belongs to
 * the data stream. The level is set once by the CLI from -q/-v/-d.
 */
public final class Log {
    public enum Level { QUIET, NORMAL, VERBOSE, DEBUG }

    private static volatile Level level = Level.NORMAL;
    private static volatile PrintStream err = System.err;

    private Log() {
    }

    public static void setLevel(Level newLevel) {
        level = newLevel;
    }

    public static Level level() {
        return level;
    }

    /** For tests that capture messages. */
    public static void setStream(PrintStream stream) {
        err = stream;
    }

    public static PrintStream stream() {
        return err;
    }

    /** Always shown, also under --quiet: the reason the run failed. */
    public static void error(String message) {
        err.println("lvmsync: " + message);
    }

    /** Shown unless --quiet: something the user should know (skipped records, summary). */
    public static void warn(String message) {
        if (level != Level.QUIET) {
            err.println("lvmsync: " + message);
        }
    }

    /** Shown unless --quiet: the normal closing summary. */
    public static void info(String message) {
        if (level != Level.QUIET) {
            err.println(message);
        }
    }

    /** Shown with -v or -d. */
    public static void verbose(String message) {
        if (level == Level.VERBOSE || level == Level.DEBUG) {
            err.println(message);
        }
    }

    /** Shown with -d. */
    public static void debug(String message) {
        if (level == Level.DEBUG) {
            err.println("debug: " + message);
        }
    }

    public static boolean isDebug() {
        return level == Level.DEBUG;
    }
}
