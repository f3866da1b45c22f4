package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FileStat;
import org.lvmsync.os.SysBlock;

/**
 * The device (or image file) a change stream is written to.
 *
 * <p>A block device is claimed with O_EXCL, which the kernel refuses while the device is
 * mounted or claimed by another program: writing under a mounted filesystem would corrupt
 * it. Writes whose offset, length and buffer are aligned to the logical block size go
 * through an O_DIRECT descriptor (no page-cache pollution, no double copy); anything else
 * goes through a second, buffered descriptor. The kernel keeps the two coherent: a direct
 * write first writes back and then drops cached pages of its range.
 *
 * <p>Small transfers ({@code < DIRECT_MIN_BYTES}) go buffered even when aligned: an O_DIRECT
 * write or read waits for the device, and a stream of scattered 4 KiB records (what the
 * original sends) measured 7x slower that way, 2x with snapback (jmh ApplyBenchmark).
 * The page cache they fill is the destination's own and is dropped after the final
 * fsync, so the host's cache is left as it was either way.
 *
 * <p>A regular file is opened read-write, never truncated, and written buffered; it keeps
 * its size unless a record extends it.
 *
 * <p>Zero and discard records must read back as zeros. In an image file both punch a hole
 * (fallocate PUNCH_HOLE|KEEP_SIZE; written as zeros where the filesystem cannot). On a
 * block device a zero record is BLKZEROOUT (the kernel writes zeros, offloaded where the
 * device can, never deallocating). A discard deallocates only where that is sure to read
 * back zeros: BLKDISCARD where the queue still promises {@code discard_zeroes_data}
 * (kernels before 4.12; since then discard guarantees nothing), else fallocate PUNCH_HOLE,
 * which the kernel turns into a write-zeroes request that may unmap (and refuses with
 * EOPNOTSUPP when the device has no such command, {@code write_zeroes_max_bytes} 0),
 * else BLKZEROOUT. The ioctls go through the exclusive descriptor, so the kernel may drop
 * the range's cached pages, dirty ones included (our own buffered writes, already done).
 */
final class Destination implements AutoCloseable {
    static final long DIRECT_MIN_BYTES = 64L << 10;

    private final Path path;
    private final Fd buffered;
    private final Fd direct;          // null for regular files
    private final long size;
    private final int logicalBlockSize;
    private final String key;
    private final DiscardWay discardWay;
    // Set by the applier's writer thread and by its own reads of pre-images, which overlap:
    // only ever set to true while I/O runs, cleared by sync() once every write has returned.
    private volatile boolean cachedBlockIo;     // buffered I/O on a block device left pages to drop
    // Only the writer thread touches these (writes, zeroing), one batch after the other.
    private long fileEnd;              // a file's length now
    private boolean punchUnsupported;  // the filesystem refused to punch holes once

    /** How a discard record reaches a block device (see the class comment). */
    enum DiscardWay { DISCARD, PUNCH, ZEROOUT }

    private static final MemorySegment ZEROS = Arena.ofAuto().allocate(1 << 20);

    private Destination(Path path, Fd buffered, Fd direct, long size, int logicalBlockSize, String key,
                        DiscardWay discardWay) {
        this.path = path;
        this.buffered = buffered;
        this.direct = direct;
        this.size = size;
        this.fileEnd = size;
        this.logicalBlockSize = logicalBlockSize;
        this.key = key;
        this.discardWay = discardWay;
    }

    static Destination open(Path path) throws IOException {
        Fd buffered = Fd.open(path, Fd.O_RDWR);
        try {
            FileStat st = buffered.stat();
            if (st.isRegularFile()) {
                return new Destination(path, buffered, null, st.size(), 1, "file-" + realPath(path), null);
            }
            if (!st.isBlockDevice()) {
                throw new LvmsyncException(FailureClass.DESTINATION, "destination " + path
                        + " is neither a block device nor a regular file");
            }
            // asked before the exclusive open, which is the last step that can fail: a
            // failure after it would leave the claiming descriptor open
            long size = buffered.size();
            int logicalBlockSize = buffered.logicalBlockSize();
            SysBlock sys = SysBlock.of(st.rdevMajor(), st.rdevMinor());
            String key = sys.dmUuid().map(u -> "dm-" + u).orElse("dev-" + path.toAbsolutePath().normalize());
            Fd direct = openExclusive(path);
            return new Destination(path, buffered, direct, size, logicalBlockSize, key, discardWay(sys));
        } catch (IOException | RuntimeException e) {
            closeQuietly(buffered, e);
            throw e;
        }
    }

    private static Fd openExclusive(Path path) throws ErrnoException {
        try {
            return Fd.open(path, Fd.O_RDWR | Fd.O_EXCL | Fd.O_DIRECT);
        } catch (ErrnoException e) {
            if (e.errno() == errno_h.EBUSY()) {
                throw new LvmsyncException(FailureClass.DESTINATION, "destination " + path
                        + " is mounted or in use by another program (EBUSY); unmount it or stop what holds it", e);
            }
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /**
     * What names this destination in the state directory across runs: a device-mapper
     * device by its UUID (an LV keeps it across reboots and renames), another block device
     * by its path, a file by its real path.
     */
    String key() {
        return key;
    }

    private static String realPath(Path path) {
        try {
            return path.toRealPath().toString();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize().toString();
        }
    }

    static DiscardWay discardWay(SysBlock sys) {
        if (sys.queue("discard_zeroes_data").orElse(0) == 1) {
            return DiscardWay.DISCARD;
        }
        return sys.queue("write_zeroes_max_bytes").orElse(0) > 0 ? DiscardWay.PUNCH : DiscardWay.ZEROOUT;
    }

    boolean isBlockDevice() {
        return direct != null;
    }

    /** Size when opened: the device's capacity, or the file's length. */
    long size() {
        return size;
    }

    /** True when a transfer of this range from/to this buffer may use O_DIRECT. */
    boolean directCapable(long offset, long length) {
        return direct != null && offset % logicalBlockSize == 0 && length % logicalBlockSize == 0;
    }

    /** O_DIRECT for large aligned transfers; the buffered descriptor for the rest. */
    private Fd descriptor(MemorySegment buffer, long offset) {
        if (directCapable(offset, buffer.byteSize()) && buffer.address() % logicalBlockSize == 0
                && buffer.byteSize() >= DIRECT_MIN_BYTES) {
            return direct;
        }
        cachedBlockIo |= isBlockDevice();
        return buffered;
    }

    void write(MemorySegment src, long offset) throws IOException {
        descriptor(src, offset).pwriteFully(src, offset);
        fileEnd = Math.max(fileEnd, offset + src.byteSize());
    }

    /** {@code [offset, offset + length)} reads back as zeros afterwards. */
    void zero(long offset, long length) throws IOException {
        if (direct == null) {
            zeroFile(offset, length);
            return;
        }
        long from = alignUp(offset);
        long to = Math.max(from, (offset + length) / logicalBlockSize * logicalBlockSize);
        writeZeros(offset, Math.min(from, offset + length));
        if (to > from) {
            direct.zeroOut(from, to - from);
        }
        writeZeros(Math.max(to, offset), offset + length);
    }

    /**
     * {@code [offset, offset + length)} is unallocated on the source: deallocated here where
     * that reads back zeros, else zeroed.
     */
    void discard(long offset, long length) throws IOException {
        if (direct == null || discardWay == DiscardWay.ZEROOUT) {
            zero(offset, length);
            return;
        }
        long from = alignUp(offset);
        long to = Math.max(from, (offset + length) / logicalBlockSize * logicalBlockSize);
        writeZeros(offset, Math.min(from, offset + length));
        if (to > from) {
            deallocate(from, to - from);
        }
        writeZeros(Math.max(to, offset), offset + length);
    }

    private void deallocate(long offset, long length) throws IOException {
        if (discardWay == DiscardWay.DISCARD) {
            direct.discard(offset, length);
            return;
        }
        try {
            direct.fallocate(Fd.PUNCH_HOLE, offset, length);
        } catch (ErrnoException e) {
            if (e.errno() != errno_h.EOPNOTSUPP()) {
                throw e;
            }
            Log.debug(path + " cannot deallocate with zeros guaranteed (" + e.getMessage() + "); zeroing");
            direct.zeroOut(offset, length);
        }
    }

    private long alignUp(long offset) {
        return (offset + logicalBlockSize - 1) / logicalBlockSize * logicalBlockSize;
    }

    /** An image file: grown if the range passes its end, then a hole punched (zeros where that fails). */
    private void zeroFile(long offset, long length) throws IOException {
        long end = offset + length;
        if (end > fileEnd) {
            buffered.truncate(end);
            fileEnd = end;
        }
        if (!punchUnsupported) {
            try {
                buffered.fallocate(Fd.PUNCH_HOLE, offset, length);
                return;
            } catch (ErrnoException e) {
                if (e.errno() != errno_h.EOPNOTSUPP()) {
                    throw e;
                }
                punchUnsupported = true;
                Log.debug(path + ": the filesystem cannot punch holes (" + e.getMessage() + "); writing zeros");
            }
        }
        writeZeros(offset, end);
    }

    /** Zeros over {@code [from, to)} through the buffered descriptor (unaligned edges, files without holes). */
    private void writeZeros(long from, long to) throws IOException {
        for (long at = from; at < to; ) {
            long n = Math.min(ZEROS.byteSize(), to - at);
            buffered.pwriteFully(ZEROS.asSlice(0, n), at);
            cachedBlockIo |= isBlockDevice();
            at += n;
        }
    }

    /**
     * Reads the bytes now at {@code [offset, offset + dst.byteSize())}. Past the end of a
     * regular file there are none: that part reads as zeros (what a restore writes back).
     */
    void read(MemorySegment dst, long offset) throws IOException {
        Fd fd = descriptor(dst, offset);
        long done = 0;
        while (done < dst.byteSize()) {
            int n = fd.pread(dst.asSlice(done), offset + done);
            if (n == 0) {
                if (isBlockDevice()) {
                    throw new LvmsyncException(FailureClass.DESTINATION, "read " + path + ": end of device at byte "
                            + (offset + done) + " (size " + size + ")");
                }
                dst.asSlice(done).fill((byte) 0);
                return;
            }
            done += n;
        }
    }

    /**
     * Makes every write durable (both descriptors: the buffered one may hold dirty pages),
     * then drops the device's pages that the buffered writes left in the cache.
     */
    void sync() throws IOException {
        buffered.fsync();
        if (direct != null) {
            direct.fsync();
        }
        if (cachedBlockIo) {
            buffered.fadviseDontNeed(0, 0);
            cachedBlockIo = false;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            buffered.close();
        } finally {
            if (direct != null) {
                direct.close();
            }
        }
    }

    private static void closeQuietly(Fd fd, Throwable failure) {
        try {
            fd.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
