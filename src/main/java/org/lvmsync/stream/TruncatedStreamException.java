package org.lvmsync.stream;

import org.lvmsync.FailureClass;

/**
 * An extended change stream that stops before its end record: every record before the
 * cut was whole and checked, but the stream is not complete. Its own class
 * ({@link FailureClass#TRUNCATED}) so that scripts can tell a cut transfer, which sending
 * again completes, from a damaged one. The classic formats cannot tell the two apart.
 */
public final class TruncatedStreamException extends CorruptStreamException {
    public TruncatedStreamException(String source, long streamOffset, long recordIndex, String detail) {
        super(source, streamOffset, recordIndex, detail);
    }

    private TruncatedStreamException(TruncatedStreamException failure, String more) {
        super(failure, more);
    }

    @Override
    public TruncatedStreamException withOutcome(String more) {
        return new TruncatedStreamException(this, more);
    }

    @Override
    public FailureClass failureClass() {
        return FailureClass.TRUNCATED;
    }
}
