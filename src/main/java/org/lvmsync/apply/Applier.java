package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;

/**
 * Writes records onto a destination device or image file, saving what they overwrite to
 * a snapback file first. Used by {@code --apply} (fed by a stream decoder) and in-process
 * by a local sync (as its {@link RecordSink}).
 *
 * <p>Records are staged in a fixed buffer of {@link #STAGING_BYTES}. A full buffer is
 * written as one batch: (1) read the old bytes the batch will overwrite and append them to
 * the snapback file, (2) one fdatasync of the snapback file, (3) write the batch. So the
 * undo data is durable before the first byte it protects is overwritten, at one sync per
 * batch rather than one per 4 KiB record.
 *
 * <p>Records may overlap (a stream from a sender never does; a hand-made one may). The
 * snapback file must restore the state before the run whatever order its records are
 * applied in, so it holds only true pre-images: for each record, the old bytes of the
 * parts no earlier record of this run has written. Its records are therefore disjoint.
 *
 * <p>Records past the end of a block device are refused before anything of them is
 * written, or skipped with a warning under --skip-past-end (the original's behaviour).
 */
public final class Applier implements RecordSink {
    /** Staging buffer: records are written, and snapback data synced, in batches of this size. */
    public static final long STAGING_BYTES = 4L << 20;
    /** A batch holds at most this many pieces, even of tiny records. */
    static final int MAX_PIECES = 8192;
    /**
     * Largest end offset accepted on a regular file: 1 PiB. Beyond that a record is taken
     * for garbage (for instance a little-endian offset of lvmsync 3.0.x, which reads as
     * 2^52 or more) instead of growing a sparse file to exabytes.
     */
    public static final long MAX_FILE_END = 1L << 50;
    /** Big-endian readings of 3.0.x's little-endian chunk offsets start here. */
    private static final long LITTLE_ENDIAN_HINT = 1L << 52;

    private final Destination dest;
    private final Snapback snapback;            // null without --snapback
    private final RangeSet written;             // null without --snapback
    private final boolean skipPastEnd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment staging = AlignedBuffer.allocate(arena, STAGING_BYTES);
    private final MemorySegment oldBytes = AlignedBuffer.allocate(arena, STAGING_BYTES);
    private final long[] pieceOffset = new long[MAX_PIECES];
    private final long[] pieceStart = new long[MAX_PIECES];  // position in staging
    private final long[] pieceLength = new long[MAX_PIECES];
    private int pieces;
    private long stagingUsed;

    private final long startNanos = System.nanoTime();
    private long records;
    private long recordRemaining;   // bytes of the admitted record not given to write() yet
    private long bytes;
    private long skipped;
    private boolean overlapWarned;
    private long gapBytes;
    private boolean finished;

    private Applier(Destination dest, Snapback snapback, boolean skipPastEnd) {
        this.dest = dest;
        this.snapback = snapback;
        this.written = snapback == null ? null : new RangeSet();
        this.skipPastEnd = skipPastEnd;
    }

    /**
     * Opens the destination (claiming a block device exclusively) and creates the snapback
     * file, if any. Nothing is written to the destination yet.
     */
    public static Applier open(Path destination, Optional<Path> snapbackFile, boolean skipPastEnd) throws IOException {
        Destination dest = Destination.open(destination);
        try {
            Snapback snapback = snapbackFile.isPresent() ? Snapback.create(snapbackFile.get()) : null;
            return new Applier(dest, snapback, skipPastEnd);
        } catch (IOException | RuntimeException e) {
            try {
                dest.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Capacity of a block device, or the length of an image file when it was opened. */
    public long destinationSize() {
        return dest.size();
    }

    /** A record from an in-process sender; its payload is copied into the staging buffer before this returns. */
    @Override
    public void accept(Record record, MemorySegment payload) throws IOException {
        switch (record) {
            case Record.Data data -> {
                if (admit(data.offset(), data.length())) {
                    write(data.offset(), payload);
                }
            }
            // zero/discard semantics and the base check come with the extended stream's receiver
            case Record.Zero zero -> throw notYet(zero);
            case Record.Discard discard -> throw notYet(discard);
            case Record.Header header -> { }
            case Record.End end -> { }
        }
    }

    private static LvmsyncException notYet(Record.Extent extent) {
        return new LvmsyncException(FailureClass.BAD_INPUT, "this lvmsync cannot apply " + extent
                + " yet (zero and discard records of extended streams); nothing of it was written");
    }

    /**
     * Checks a record before any of it is written.
     *
     * @return true to write it; false if it is skipped (past the end, --skip-past-end)
     * @throws LvmsyncException (BAD_INPUT) if it does not fit the destination
     */
    public boolean admit(long offset, long length) {
        if (length <= 0 || offset < 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("invalid record: offset " + offset + ", length " + length);
        }
        long end = offset + length;
        String hint = offset >= LITTLE_ENDIAN_HINT
                ? " (an offset this large suggests a little-endian stream of lvmsync 3.0.x, which cannot be applied)"
                : "";
        if (dest.isBlockDevice() && end > dest.size()) {
            if (skipPastEnd && hint.isEmpty()) {
                skipped++;
                Log.warn("skipping record at offset " + offset + " (length " + length + "): past the end of "
                        + dest.path() + " (" + dest.size() + " bytes)");
                return false;
            }
            throw new LvmsyncException(FailureClass.BAD_INPUT, "record at offset " + offset + " (length " + length
                    + ") ends past the end of " + dest.path() + " (" + dest.size() + " bytes); nothing of it was written"
                    + (hint.isEmpty() ? "; --skip-past-end skips such records" : hint));
        }
        if (!dest.isBlockDevice() && end > MAX_FILE_END) {
            throw new LvmsyncException(FailureClass.BAD_INPUT, "record at offset " + offset + " (length " + length
                    + ") ends beyond 1 PiB, the limit for image files; nothing of it was written" + hint);
        }
        recordRemaining = length;
        return true;
    }

    /**
     * Stages an admitted record, whole or in consecutive parts; it reaches the destination
     * with its batch.
     */
    public void write(long offset, MemorySegment data) throws IOException {
        long done = 0;
        while (done < data.byteSize()) {
            long n = Math.min(data.byteSize() - done, STAGING_BYTES);
            long at = dest.directCapable(offset + done, n) ? AlignedBuffer.alignUp(stagingUsed) : stagingUsed;
            if (pieces == MAX_PIECES || at + n > STAGING_BYTES) {
                flush();
                at = 0;
            }
            MemorySegment.copy(data, done, staging, at, n);
            pieceOffset[pieces] = offset + done;
            pieceStart[pieces] = at;
            pieceLength[pieces] = n;
            pieces++;
            stagingUsed = at + n;
            done += n;
        }
        bytes += data.byteSize();
        recordRemaining -= data.byteSize();
        if (recordRemaining <= 0) {
            records++;   // counted once complete: a record cut short by its stream does not count
        }
    }

    /** Writes everything staged: old bytes to the snapback file and synced, then the new bytes. */
    public void flush() throws IOException {
        if (pieces == 0) {
            return;
        }
        if (snapback != null) {
            for (int i = 0; i < pieces; i++) {
                saveOldBytes(pieceOffset[i], pieceLength[i]);
            }
            snapback.sync();
        }
        for (int i = 0; i < pieces; ) {
            int last = lastAdjacentPiece(i);
            long length = pieceStart[last] + pieceLength[last] - pieceStart[i];
            dest.write(staging.asSlice(pieceStart[i], length), pieceOffset[i]);
            i = last + 1;
        }
        pieces = 0;
        stagingUsed = 0;
    }

    /**
     * The last piece from {@code first} on that continues the one before it both on the
     * device and in the staging buffer: a sorted stream's records become one large write.
     */
    private int lastAdjacentPiece(int first) {
        int last = first;
        while (last + 1 < pieces
                && pieceOffset[last] + pieceLength[last] == pieceOffset[last + 1]
                && pieceStart[last] + pieceLength[last] == pieceStart[last + 1]) {
            last++;
        }
        return last;
    }

    /**
     * Saves the pre-image of the parts of this range no earlier record wrote. Nothing of
     * the batch is written yet and earlier batches never touched these parts, so the
     * destination still holds the bytes from before the run there.
     */
    private void saveOldBytes(long offset, long length) throws IOException {
        long end = offset + length;
        gapBytes = 0;
        written.forEachGap(offset, end, (gapStart, gapEnd) -> {
            MemorySegment old = oldBytes.asSlice(0, gapEnd - gapStart);
            dest.read(old, gapStart);
            snapback.record(gapStart, old);
            gapBytes += gapEnd - gapStart;
        });
        if (gapBytes != length) {
            warnOverlap(offset);
        }
        written.add(offset, end);
    }

    private void warnOverlap(long offset) {
        if (!overlapWarned) {
            overlapWarned = true;
            Log.warn("records overlap (first at offset " + offset + "); the snapback file keeps only the bytes"
                    + " from before this run, so it still restores them");
        }
    }

    /** Writes what is staged, makes the destination durable and prints the summary. */
    @Override
    public void finish() throws IOException {
        flush();
        dest.sync();
        finished = true;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Log.info(String.format("Applied %d record%s (%d bytes) to %s in %.2f seconds", records,
                records == 1 ? "" : "s", bytes, dest.path(), seconds));
        if (skipped > 0) {
            Log.warn(skipped + " records past the end of " + dest.path() + " were skipped");
        }
        if (snapback != null) {
            Log.verbose("Snapback " + snapback.path() + ": " + snapback.records() + " records");
        }
    }

    public long records() {
        return records;
    }

    public long bytes() {
        return bytes;
    }

    public long skipped() {
        return skipped;
    }

    /**
     * Releases the destination and the snapback file. Without a finish(), records still
     * staged are dropped; everything written so far is covered by the synced snapback file.
     */
    @Override
    public void close() throws IOException {
        if (!finished && pieces > 0) {
            Log.debug("closing unfinished apply: " + pieces + " staged records not written");
        }
        try (arena; dest) {
            if (snapback != null) {
                snapback.close();
            }
        }
    }
}
