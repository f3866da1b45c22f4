package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * {@code lvmsync --verify FILE DEST} without applying: compares a destination with the
 * bytes a change stream says it holds, range by range, read back past the page cache (see
 * {@link ReadBack}). Read-only; the destination may be in use.
 */
public final class DestinationCheck implements AutoCloseable {
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[(int) ReadBack.WINDOW]);

    private final Path path;
    private final ReadBack reader;

    private DestinationCheck(Path path, ReadBack reader) {
        this.path = path;
        this.reader = reader;
    }

    public static DestinationCheck open(Path destination) throws IOException {
        return new DestinationCheck(destination, ReadBack.open(destination));
    }

    public Path path() {
        return path;
    }

    /**
     * Where the destination first differs from {@code expected} at {@code offset} (a device
     * byte), -1 if it holds exactly that; a destination that ends inside the range differs
     * where it ends.
     */
    public long firstDifference(long offset, MemorySegment expected) throws IOException {
        for (long done = 0; done < expected.byteSize(); ) {
            long n = Math.min(ReadBack.WINDOW, expected.byteSize() - done);
            MemorySegment got = reader.read(offset + done, n);
            long m = MemorySegment.mismatch(got, 0, got.byteSize(), expected, done, done + n);
            if (m >= 0) {
                return offset + done + m;
            }
            done += n;
        }
        return -1;
    }

    /** As above for {@code length} bytes of zeros. */
    public long firstNonZero(long offset, long length) throws IOException {
        for (long done = 0; done < length; ) {
            long n = Math.min(ReadBack.WINDOW, length - done);
            long m = firstDifference(offset + done, ZEROS.asSlice(0, n));
            if (m >= 0) {
                return m;
            }
            done += n;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
