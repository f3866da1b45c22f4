package org.lvmsync.cli;

import org.lvmsync.FailureClass;

/** Process exit codes; named so scripts around lvmsync can tell failures apart. */
public enum ExitCode {
    OK(0),
    /** I/O or device failure, refused snapshot, anything at run time. */
    FAILURE(1),
    /** The command line itself is wrong. */
    USAGE(2),
    /** A change stream or on-disk metadata is damaged, or a record does not fit the destination. */
    BAD_INPUT(3),
    /** The remote side (over --rsh) failed. */
    REMOTE(4),
    /** Stopped by SIGINT/SIGTERM. */
    INTERRUPTED(130);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The one place where a kind of failure becomes a process exit status. */
    public static ExitCode of(FailureClass failure) {
        return switch (failure) {
            case USAGE -> USAGE;
            case BAD_INPUT -> BAD_INPUT;
            case REMOTE -> REMOTE;
            case INTERRUPTED -> INTERRUPTED;
            case NOT_A_SNAPSHOT, SNAPSHOT_UNUSABLE, DESTINATION, ENVIRONMENT, IO -> FAILURE;
        };
    }
}
