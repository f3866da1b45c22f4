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

    /** Runs one command line and returns the exit status (tests call this). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new LvmsyncCommand());
        cl.setOverwrittenOptionsAllowed(true);   // like the original's OptionParser: the last one wins
        cl.setOut(new PrintWriter(System.out, true));
        cl.setErr(new PrintWriter(Log.stream(), true));
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, line, parsed) -> runtimeError(e));
        return cl.execute(args);
    }

    private static int usageError(ParameterException e, String[] args) {
        Log.error(e.getMessage());
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
