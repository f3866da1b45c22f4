package org.lvmsync.os;

import java.io.IOException;
import org.lvmsync.Classified;
import org.lvmsync.FailureClass;

/**
 * A failed system call, reported the way a person reads it:
 * {@code open /dev/vg/lv: Device or resource busy (EBUSY)}. The operation and the path name
 * what failed and where; the symbolic name makes the message searchable.
 */
public class ErrnoException extends IOException implements Classified {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;
    private final String path;

    public ErrnoException(String operation, String path, int errno) {
        super(format(operation, path, errno));
        this.errno = errno;
        this.operation = operation;
        this.path = path;
    }

    public int errno() {
        return errno;
    }

    public String operation() {
        return operation;
    }

    /** The file or device the call was about; null if there was none. */
    public String path() {
        return path;
    }

    static String format(String operation, String path, int errno) {
        String where = path == null ? operation : operation + " " + path;
        return where + ": " + Native.describe(errno);
    }

    @Override
    public FailureClass failureClass() {
        return FailureClass.IO;
    }
}
