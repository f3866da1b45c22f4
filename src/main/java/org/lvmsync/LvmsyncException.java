package org.lvmsync;

/**
 * A failure the user must read: its message is one line that says what, where and what
 * to do, and it carries the exit code. The CLI prints the message alone (the stack trace
 * only under --debug).
 */
public class LvmsyncException extends RuntimeException {
    private final ExitCode exitCode;

    public LvmsyncException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public LvmsyncException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
