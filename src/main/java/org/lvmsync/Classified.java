package org.lvmsync;

/** An exception that knows its {@link FailureClass}; the command line maps it to an exit code. */
public interface Classified {
    FailureClass failureClass();
}
