package org.lvmsync.sync;

import org.lvmsync.ExitCode;
import org.lvmsync.LvmsyncException;
import org.lvmsync.cli.SendOptions;

/**
 * Entry point of the sending form ({@code lvmsync <snapshot> ...}).
 * Placeholder until snapshot discovery lands; the owner of org.lvmsync.sync replaces it.
 */
public final class SendCommand {
    private SendCommand() {
    }

    public static ExitCode run(SendOptions options) {
        throw new LvmsyncException(ExitCode.FAILURE, "sending from a snapshot is not available in this build");
    }
}
