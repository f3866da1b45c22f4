package org.lvmsync.dm;

/** A table or status line that does not have the shape the kernel documents. */
public class DmFormatException extends DmException {
    private static final long serialVersionUID = 1L;

    public DmFormatException(String message) {
        super(message);
    }
}
