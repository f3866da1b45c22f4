package org.lvmsync.changes;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

/**
 * On-disk metadata that cannot be trusted: names the device, the block (chunk number on
 * that device) and the field, so the message alone tells where to look.
 */
public class CorruptMetadataException extends LvmsyncException {
    private final String device;
    private final long block;
    private final String field;

    public CorruptMetadataException(String device, long block, String field, String problem) {
        this(FailureClass.BAD_INPUT, device, block, field, problem);
    }

    public CorruptMetadataException(FailureClass failureClass, String device, long block, String field, String problem) {
        super(failureClass, device + ": chunk " + block + ", " + field + ": " + problem);
        this.device = device;
        this.block = block;
        this.field = field;
    }

    public String device() {
        return device;
    }

    public long block() {
        return block;
    }

    public String field() {
        return field;
    }
}
