package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;

/**
 * {@code --verify}: after a run is written and synced, reads back exactly the ranges it
 * wrote and compares them with the stream's checksums (the CRC32C of each data record's
 * bytes; zeros for zero and discard records). Far cheaper than reading both devices whole.
 *
 * <p>Reads bypass the page cache (O_DIRECT), so what is compared is what the device
 * returns, not what this process left in memory. A file on a filesystem without O_DIRECT
 * (tmpfs) is read through the cache after its pages were dropped. The ranges are kept in
 * primitive arrays (20 bytes per record), in the order written; a stream's records are
 * sorted, so neighbouring small records are served by one large read.
 */
final class Verifier {
    private static final int NO_CRC = 0;
    private static final byte DATA = 0;
    private static final byte ZERO = 1;

    private long[] offsets = new long[1024];
    private long[] lengths = new long[1024];
    private int[] crcs = new int[1024];
    private byte[] kinds = new byte[1024];
    private int count;
    private long bytes;

    void data(long offset, long length, int crc) {
        add(offset, length, crc, DATA);
    }

    void zero(long offset, long length) {
        add(offset, length, NO_CRC, ZERO);
    }

    private void add(long offset, long length, int crc, byte kind) {
        if (count == offsets.length) {
            int n = Math.multiplyExact(count, 2);
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
            crcs = Arrays.copyOf(crcs, n);
            kinds = Arrays.copyOf(kinds, n);
        }
        offsets[count] = offset;
        lengths[count] = length;
        crcs[count] = crc;
        kinds[count] = kind;
        count++;
        bytes += length;
    }

    /** Same as the stream's record checksum: CRC32C. */
    static int crc(MemorySegment data) {
        CRC32C crc = new CRC32C();
        crc.update(data.asByteBuffer());
        return (int) crc.getValue();
    }

    /**
     * Reads every recorded range of {@code path} back and compares.
     *
     * @throws LvmsyncException VERIFY_MISMATCH naming the first range that differs
     */
    void check(Path path) throws IOException {
        long start = System.nanoTime();
        try (ReadBack reader = ReadBack.open(path)) {
            for (int i = 0; i < count; i++) {
                long end = offsets[i] + lengths[i];
                for (long at = offsets[i]; at < end; ) {
                    // a data record (at most 1 MiB) is read whole; zeros a window at a time
                    long to = kinds[i] == DATA ? end : Math.min(end, at + ReadBack.WINDOW);
                    MemorySegment got = reader.read(at, to - at);
                    if (got.byteSize() < to - at) {
                        throw mismatch(path, offsets[i], lengths[i], "the destination ends at byte "
                                + (at + got.byteSize()));
                    }
                    String differs = kinds[i] == DATA ? crcDiffers(got, crcs[i]) : zerosDiffer(got, at);
                    if (differs != null) {
                        throw mismatch(path, offsets[i], lengths[i], differs);
                    }
                    at = to;
                }
            }
        }
        Log.verbose(String.format("verified %d ranges (%d bytes) of %s in %.2f seconds: as written", count, bytes,
                path, (System.nanoTime() - start) / 1e9));
    }

    private static String crcDiffers(MemorySegment got, int expected) {
        int actual = crc(got);
        return actual == expected ? null
                : String.format("CRC32C of the bytes read back %08x, of the stream's %08x", actual, expected);
    }

    private static String zerosDiffer(MemorySegment got, long at) {
        for (long off = 0; off < got.byteSize(); off += ZERO_PAGE.byteSize()) {
            long n = Math.min(ZERO_PAGE.byteSize(), got.byteSize() - off);
            long m = MemorySegment.mismatch(got, off, off + n, ZERO_PAGE, 0, n);
            if (m >= 0) {
                return "byte " + (at + off + m) + " reads back non-zero where the stream says zeros";
            }
        }
        return null;
    }

    private static final MemorySegment ZERO_PAGE = MemorySegment.ofArray(new byte[64 * 1024]);

    private static LvmsyncException mismatch(Path path, long offset, long length, String detail) {
        return new LvmsyncException(FailureClass.VERIFY_MISMATCH, "--verify: " + path + " bytes [" + offset + ", "
                + (offset + length) + ") differ from what the stream wrote there (" + detail + "): the destination"
                + " did not keep what was written; check the device (or what else writes to it) and apply the"
                + " stream again");
    }
}
