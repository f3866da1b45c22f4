package org.lvmsync.apply;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How an {@link Applier} writes.
 *
 * @param snapback    undo file to create (refused if it exists)
 * @param skipPastEnd cut records at the end of a block device instead of refusing them
 * @param verify      after the run, read back what was written and compare it with the stream
 * @param force       apply even when the destination's record says it holds another base
 * @param stateDir    where destination records live; empty keeps none (no base check, no resume)
 */
public record ApplyOptions(Optional<Path> snapback, boolean skipPastEnd, boolean verify, boolean force,
                           Optional<Path> stateDir) {
    public ApplyOptions {
        Objects.requireNonNull(snapback, "snapback");
        Objects.requireNonNull(stateDir, "stateDir");
    }

    /** Only an undo file and the end-of-device rule: no verification, no records. */
    public static ApplyOptions basic(Optional<Path> snapback, boolean skipPastEnd) {
        return new ApplyOptions(snapback, skipPastEnd, false, false, Optional.empty());
    }
}
