package org.lvmsync;

/** Process exit codes; named so scripts around lvmsync can tell failures apart. */
public enum ExitCode {
    OK(0),
    /** I/O or device failure, refused snapshot, anything at run time. */
    FAILURE(1),
    /** The command line itself is wrong. */
    USAGE(2),
    /** A change stream or on-disk metadata is damaged or not what it claims to be. */
    BAD_INPUT(3),
    /** The remote side (over --rsh) failed. */
    REMOTE(4),
    /** Stopped by SIGINT/SIGTERM. */
    INTERRUPTED(130);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }
}
