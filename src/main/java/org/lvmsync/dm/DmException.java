package org.lvmsync.dm;

import java.io.IOException;
import org.lvmsync.Classified;
import org.lvmsync.FailureClass;

/**
 * A device-mapper request that failed without an errno to report (those become
 * {@link org.lvmsync.os.ErrnoException}), or a device that is not what was asked for.
 */
public class DmException extends IOException implements Classified {
    private static final long serialVersionUID = 1L;

    public DmException(String message) {
        super(message);
    }

    @Override
    public FailureClass failureClass() {
        return FailureClass.IO;
    }
}
