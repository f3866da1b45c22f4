package org.lvmsync.apply;

import java.nio.file.Path;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;

/**
 * Where the records of a stream may go on one destination, decided per record before any
 * of it is written.
 *
 * <p>A block device ends at its capacity: a record reaching past it is refused, or under
 * --skip-past-end (the original's behaviour for sources larger than destinations) cut at
 * the end: the part inside is written, the rest skipped. An image file grows to take a
 * record past its end, up to {@link #MAX_FILE_END}.
 *
 * <p>lvmsync 3.0.x wrote record offsets little-endian under the same {@code PROTO[3]}
 * handshake (and 1.0.0 under {@code PROTO[2]}: its byte-order helper did nothing on
 * little-endian hosts); read big-endian, a chunk offset of such a stream lands far away (64 KiB
 * reads as 1 TiB), yet below any fixed bound that could tell it apart. What gives it away
 * is the destination: the record lies past the end, while its byte-swapped offset lies
 * inside. A record past the end whose swapped reading fits is taken for such a stream.
 * (A genuine record past the end with that property needs an offset that is a multiple of
 * 64 KiB, and for a swapped reading inside a destination under 1 TiB, of 16 MiB.)
 */
final class Bounds {
    /**
     * Largest end offset accepted on a regular file: 1 PiB. Beyond that a record is taken
     * for garbage instead of growing a sparse file to exabytes.
     */
    static final long MAX_FILE_END = 1L << 50;
    /** Big-endian readings of 3.0.x's little-endian chunk offsets (4 KiB multiples below 2^40) start here. */
    private static final long LITTLE_ENDIAN_HINT = 1L << 52;

    private final Path path;
    private final boolean blockDevice;
    private final boolean skipPastEnd;
    private final long size;
    private long end;            // a file's length once the records so far are written
    private long skippedRecords;
    private long skippedBytes;

    Bounds(Path path, boolean blockDevice, long size, boolean skipPastEnd) {
        this.path = path;
        this.blockDevice = blockDevice;
        this.size = size;
        this.end = size;
        this.skipPastEnd = skipPastEnd;
    }

    /** Null, or why the record marks the stream as one of 3.0.x (little-endian offsets). */
    String littleEndian(long offset, long length) {
        if (offset + length <= end) {
            return null;
        }
        long swapped = Long.reverseBytes(offset);
        if (swapped < 0 || swapped > end - length) {
            return null;
        }
        return "record at offset " + offset + " (length " + length + ") lies past the end of " + path + " ("
                + end + " bytes), but read little-endian its offset is " + swapped + ", inside: this is a stream"
                + " of lvmsync 3.0.x, which wrote offsets little-endian and cannot be applied safely; make the"
                + " stream again with this lvmsync";
    }

    /**
     * How many leading bytes of the record to write: all, fewer when it is cut at the end
     * of a block device, 0 to skip it whole.
     *
     * @throws LvmsyncException (BAD_INPUT) if it does not fit
     */
    long admit(long offset, long length) {
        long recordEnd = offset + length;
        // too far out even for a swapped reading to fit here, and never skipped: garbage
        String hint = offset >= LITTLE_ENDIAN_HINT
                ? " (an offset this large suggests a little-endian stream of lvmsync 3.0.x, which cannot be applied)"
                : "";
        if (blockDevice && recordEnd > size) {
            if (!skipPastEnd || !hint.isEmpty()) {
                throw new LvmsyncException(FailureClass.BAD_INPUT, "record at offset " + offset + " (length " + length
                        + ") ends past the end of " + path + " (" + size + " bytes); nothing of it was written"
                        + (hint.isEmpty() ? "; --skip-past-end writes the part inside and skips the rest" : hint));
            }
            return cut(offset, length);
        }
        if (!blockDevice && recordEnd > MAX_FILE_END) {
            throw new LvmsyncException(FailureClass.BAD_INPUT, "record at offset " + offset + " (length " + length
                    + ") ends beyond 1 PiB, the limit for image files; nothing of it was written" + hint);
        }
        end = Math.max(end, recordEnd);
        return length;
    }

    private long cut(long offset, long length) {
        long inside = Math.max(0, size - offset);
        skippedRecords++;
        skippedBytes += length - inside;
        if (inside == 0) {
            Log.warn("skipping record at offset " + offset + " (length " + length + "): past the end of " + path
                    + " (" + size + " bytes)");
        } else {
            Log.warn("record at offset " + offset + " (length " + length + ") reaches past the end of " + path
                    + " (" + size + " bytes): writing its " + inside + " bytes inside, skipping the "
                    + (length - inside) + " past the end");
        }
        return inside;
    }

    long skippedRecords() {
        return skippedRecords;
    }

    long skippedBytes() {
        return skippedBytes;
    }
}
