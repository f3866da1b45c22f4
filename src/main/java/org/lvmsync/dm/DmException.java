package org.lvmsync.dm;

import java.io.IOException;

/**
 * A device-mapper request that failed without an errno to report (those become
 * {@link org.lvmsync.os.ErrnoException}), or a device that is not what was asked for.
 */
public class DmException extends IOException {
    private static final long serialVersionUID = 1L;

    public DmException(String message) {
        super(message);
    }
}
