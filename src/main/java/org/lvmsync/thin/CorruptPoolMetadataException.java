package org.lvmsync.thin;

import org.lvmsync.FailureClass;
import org.lvmsync.changes.CorruptMetadataException;

/**
 * Thin pool metadata that cannot be trusted: one line naming the metadata device or file,
 * the 4 KiB metadata block and what is wrong with it. Never recovered from: a diff over a
 * damaged tree could silently miss changes.
 */
public class CorruptPoolMetadataException extends CorruptMetadataException {
    public CorruptPoolMetadataException(String source, long block, String problem) {
        super(FailureClass.BAD_INPUT, source + ": metadata block " + block + ": " + problem, source, block, "");
    }

    /** The metadata device or file. */
    public String source() {
        return device();
    }
}
