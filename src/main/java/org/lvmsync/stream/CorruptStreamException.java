package org.lvmsync.stream;

import java.io.IOException;
import org.lvmsync.Classified;
import org.lvmsync.FailureClass;

/**
 * A change stream is damaged or is not a change stream. The message is one line naming the
 * source, the record and the byte position in the stream, so a user can look at the spot
 * with {@code xxd -s}. Its class is {@link FailureClass#BAD_INPUT}.
 */
public class CorruptStreamException extends IOException implements Classified {
    private final long streamOffset;
    private final long recordIndex;

    /**
     * @param source       what is read, e.g. a file name or "stdin"
     * @param streamOffset byte position in the stream where the problem is
     * @param recordIndex  0-based index of the record concerned, or -1 for the handshake
     * @param detail       what is wrong
     */
    public CorruptStreamException(String source, long streamOffset, long recordIndex, String detail) {
        super(describe(source, streamOffset, recordIndex, detail));
        this.streamOffset = streamOffset;
        this.recordIndex = recordIndex;
    }

    private static String describe(String source, long streamOffset, long recordIndex, String detail) {
        String where = recordIndex < 0
                ? "handshake"
                : "record " + (recordIndex + 1);   // people count from 1
        return "corrupt change stream " + source + ": " + where + " at stream byte " + streamOffset + ": " + detail;
    }

    /** Byte position in the stream (from its first byte, the handshake included). */
    public long streamOffset() {
        return streamOffset;
    }

    /** 0-based record index, -1 when the handshake itself is wrong. */
    public long recordIndex() {
        return recordIndex;
    }

    @Override
    public FailureClass failureClass() {
        return FailureClass.BAD_INPUT;
    }
}
