package org.lvmsync.apply;

import org.lvmsync.ExitCode;
import org.lvmsync.LvmsyncException;

/** {@code lvmsync --apply}: placeholder until the applier lands. */
public final class ApplyCommand {
    private ApplyCommand() {
    }

    public static ExitCode run(ApplyRequest request) {
        throw new LvmsyncException(ExitCode.FAILURE, "--apply is not available in this build yet");
    }
}
