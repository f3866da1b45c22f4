package org.lvmsync.job;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code lvmsync --apply <input> <destination>}, parsed.
 *
 * @param input       change stream file, or {@code -} for stdin
 * @param destination block device or regular file to write
 * @param snapback    undo file to create (refused if it exists)
 * @param skipPastEnd skip records past the end of a block device with a warning instead of failing
 */
public record ApplyRequest(String input, Path destination, Optional<Path> snapback, boolean skipPastEnd) {
    public static final String STDIN = "-";

    public boolean fromStdin() {
        return STDIN.equals(input);
    }
}
