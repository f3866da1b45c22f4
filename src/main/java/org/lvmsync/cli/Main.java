package org.lvmsync.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.io.InterruptedIOException;
import org.lvmsync.Classified;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code java -jar lvmsync.jar}: parses the command line and turns every way out into an
 * exit code. Usage errors: one line and a hint, exit 2. Run-time errors: one line
 * {@code lvmsync: ...}, the stack trace only under --debug. --help and --version answer
 * on stdout (what was asked for); nothing else is ever printed there but the data stream.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (isVersionOnly(args)) {
            // answered before picocli and the hook exist: half the classes of a start are
            // picocli's model of the command line, which --version does not need
            System.out.println(VersionProvider.line());
            System.out.flush();
            return;
        }
        if (args.length > 0 && args[0].equals(ThinDeltaMode.WORD)) {
            // thin_delta's stand-in writes nothing but its stdout, so an interruption needs no
            // word; and a clean end returns from main rather than System.exit, which would
            // look up the JDK's System.Logger (ServiceLoader, the jar scanned) to log it
            int code = execute(args);
            if (code != 0) {
                System.exit(code);
            }
            return;
        }
        // SIGINT/SIGTERM run shutdown hooks, never the code after execute(): say what that means
        AtomicBoolean ended = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!ended.get()) {
                Log.error("interrupted: the destination may be partly updated; running the same command"
                        + " again completes it (the snapshot still records every change; with --snapback,"
                        + " name a new file and keep the old one)");
            }
        }, "lvmsync-interrupted"));
        int code = execute(args);
        ended.set(true);
        System.exit(code);
    }

    /** {@code lvmsync --version} or {@code -V} alone, the way picocli would read it. */
    static boolean isVersionOnly(String[] args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /** Runs one command line and returns the exit status (tests call this). */
    public static int execute(String... args) {
        String undecodable = undecodable(args);
        if (undecodable != null) {
            Log.error(undecodable);
            return ExitCode.USAGE.code;
        }
        if (args.length > 0 && args[0].equals(ThinDeltaMode.WORD)) {
            return ThinDeltaMode.run(java.util.Arrays.asList(args).subList(1, args.length));
        }
        CommandLine cl = new CommandLine(new LvmsyncCommand());
        cl.setOverwrittenOptionsAllowed(true);   // like the original's OptionParser: the last one wins
        cl.setAbbreviatedOptionsAllowed(true);   // and a unique prefix names an option: --snap, --verb
        cl.setOut(new PrintWriter(System.out, true));
        cl.setErr(new PrintWriter(Log.stream(), true));
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, line, parsed) -> runtimeError(e));
        return cl.execute(args);
    }

    /**
     * The JVM decodes the command line with the locale's charset (sun.jnu.encoding) and
     * puts U+FFFD where bytes do not decode; such an argument names no file that exists.
     * Null if every argument decoded.
     */
    static String undecodable(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].indexOf('\uFFFD') >= 0) {
                return "argument " + (i + 1) + " (" + args[i] + ") holds bytes that are not valid "
                        + System.getProperty("sun.jnu.encoding") + ", the character set of this locale; run lvmsync"
                        + " through its launcher, which uses a UTF-8 locale, or set LC_ALL=C.UTF-8";
            }
        }
        return null;
    }

    private static int usageError(ParameterException e, String[] args) {
        String message = e.getMessage();
        Log.error(message.startsWith("Error: ") ? message.substring("Error: ".length()) : message);
        Log.stream().println("Try 'lvmsync --help' for more information.");
        return ExitCode.USAGE.code;
    }

    static int runtimeError(Exception e) {
        ExitCode code = ExitCode.of(failureClass(e));
        boolean known = e instanceof Classified || e instanceof IOException;
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Log.error(known ? message : "internal error: " + e);
        if (Log.isDebug()) {
            e.printStackTrace(Log.stream());
        } else if (!known) {
            Log.stream().println("Run again with --debug for the stack trace, and report it.");
        }
        return code.code;
    }

    /** What kind of failure {@code e} is; I/O for plain IOExceptions and anything unforeseen. */
    static FailureClass failureClass(Exception e) {
        return switch (e) {
            case Classified c -> c.failureClass();
            case InterruptedIOException _ -> FailureClass.INTERRUPTED;
            default -> FailureClass.IO;
        };
    }
}
