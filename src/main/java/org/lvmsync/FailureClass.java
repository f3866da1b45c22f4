package org.lvmsync;

/**
 * What kind of failure ended a run. Every exception meant for the user carries one (see
 * {@link Classified}); only the command line turns a class into an exit code, so the code
 * that detects a failure says what happened, never how the process should end.
 */
public enum FailureClass {
    /** The command line itself is wrong, or names something that cannot be meant. */
    USAGE,
    /** The named volume is not a snapshot lvmsync can read (not a snapshot, the origin, not active). */
    NOT_A_SNAPSHOT,
    /** A snapshot that has lost track of changes or cannot be read now (invalid, merging, overflowed). */
    SNAPSHOT_UNUSABLE,
    /** The destination cannot be written as asked (in use, wrong kind of file, missing). */
    DESTINATION,
    /** A change stream or on-disk metadata is damaged, or a record does not fit the destination. */
    BAD_INPUT,
    /** The remote side (over --rsh) failed or stopped reading. */
    REMOTE,
    /** Stopped by a signal or an interrupt. */
    INTERRUPTED,
    /** The host lacks what the run needs: the device-mapper library or driver, root. */
    ENVIRONMENT,
    /** A read, write or system call failed. */
    IO
}
