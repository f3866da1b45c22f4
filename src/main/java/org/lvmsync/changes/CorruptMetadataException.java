package org.lvmsync.changes;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

/**
 * On-disk metadata that cannot be trusted (a COW exception store, a thin pool's btrees):
 * names the device, the block (a chunk of the COW, a metadata block of the pool) and
 * the field, so the message alone tells where to look.
 */
public class CorruptMetadataException extends LvmsyncException {
    private final String device;
    private final long block;
    private final String field;

    public CorruptMetadataException(String device, long block, String field, String problem) {
        this(FailureClass.BAD_INPUT, device, block, field, problem);
    }

    public CorruptMetadataException(FailureClass failureClass, String device, long block, String field, String problem) {
        this(failureClass, device + ": chunk " + block + ", " + field + ": " + problem, device, block, field);
    }

    /** For formats that word the place their own way; {@code message} is the whole line. */
    protected CorruptMetadataException(FailureClass failureClass, String message, String device, long block,
                                       String field) {
        super(failureClass, message);
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
