package org.lvmsync.thin;

import org.lvmsync.ExitCode;
import org.lvmsync.LvmsyncException;

/**
 * Thin pool metadata that cannot be trusted: one line naming the metadata device or file,
 * the 4 KiB metadata block and what is wrong with it. Never recovered from: a diff over a
 * damaged tree could silently miss changes.
 */
public class CorruptMetadataException extends LvmsyncException {
    private final String source;
    private final long block;

    public CorruptMetadataException(String source, long block, String problem) {
        super(ExitCode.BAD_INPUT, source + ": metadata block " + block + ": " + problem);
        this.source = source;
        this.block = block;
    }

    /** The metadata device or file. */
    public String source() {
        return source;
    }

    /** The block at fault (for a pointer past the end: the block holding the pointer). */
    public long block() {
        return block;
    }
}
