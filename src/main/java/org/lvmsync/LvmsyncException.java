package org.lvmsync;

/**
 * A failure the user must read: its message is one line that says what, where and what
 * to do, and it carries its {@link FailureClass}. The CLI prints the message alone (the
 * stack trace only under --debug) and picks the exit code from the class.
 */
public class LvmsyncException extends RuntimeException implements Classified {
    private final FailureClass failureClass;

    public LvmsyncException(FailureClass failureClass, String message) {
        super(message);
        this.failureClass = failureClass;
    }

    public LvmsyncException(FailureClass failureClass, String message, Throwable cause) {
        super(message, cause);
        this.failureClass = failureClass;
    }

    @Override
    public FailureClass failureClass() {
        return failureClass;
    }
}
