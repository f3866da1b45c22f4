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
 * <p>Where a record may go is decided by {@link Bounds} before any of it is written: past
 * the end of a block device it is refused, or cut at the end under --skip-past-end; a
 * stream of lvmsync 3.0.x (little-endian offsets) is refused, and nothing staged from it
 * is written.
 *
 * <p>A failure while writing a batch stops the applier for good (see {@link #flush()}),
 * and its message says what the destination was left like and how to get back.
 */
public final class Applier implements RecordSink {
    /** Staging buffer: records are written, and snapback data synced, in batches of this size. */
    public static final long STAGING_BYTES = 4L << 20;
    /** A batch holds at most this many pieces, even of tiny records. */
    static final int MAX_PIECES = 8192;
    private final Destination dest;
    private final Snapback snapback;            // null without --snapback
    private final RangeSet written;             // null without --snapback
    private final Bounds bounds;
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
    private boolean overlapWarned;
    private long gapBytes;
    private boolean finished;       // the destination was synced (a whole run, or the part before a failure)
    private boolean succeeded;      // finish() completed: the run is whole
    private boolean suspectLittleEndian;
    /** Set before the first write to the destination: from then on the snapback file is the way back. */
    private boolean destinationTouched;
    /** The first failure of a batch; nothing is written after it. */
    private LvmsyncException failure;

    private Applier(Destination dest, Snapback snapback, boolean skipPastEnd) {
        this.dest = dest;
        this.snapback = snapback;
        this.written = snapback == null ? null : new RangeSet();
        this.bounds = new Bounds(dest.path(), dest.isBlockDevice(), dest.size(), skipPastEnd);
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
                long keep = admit(data.offset(), data.length());
                if (keep > 0) {
                    write(data.offset(), payload.asSlice(0, keep));
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
     * The records come from a stream of the original's formats, which its releases 1.0.0
     * and 3.0.x wrote with little-endian offsets: look out for such a stream (see
     * {@link Bounds}). Not for our own sender's records, nor for formats that cannot be
     * written that way.
     */
    public void suspectLittleEndianOffsets() {
        suspectLittleEndian = true;
    }

    /**
     * Checks a record before any of it is written.
     *
     * @return how many of its leading bytes to write: its length, fewer if it is cut at the
     *         end of a block device (--skip-past-end), 0 if it is skipped whole
     * @throws LvmsyncException (BAD_INPUT) if it does not fit the destination, or belongs to a
     *                          stream of lvmsync 3.0.x (then nothing more of the stream is written)
     */
    public long admit(long offset, long length) {
        if (length <= 0 || offset < 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("invalid record: offset " + offset + ", length " + length);
        }
        String littleEndian = suspectLittleEndian ? bounds.littleEndian(offset, length) : null;
        if (littleEndian != null) {
            // what is staged came from the same stream: drop it rather than write it
            pieces = 0;
            stagingUsed = 0;
            String state = !destinationTouched ? dest.path() + " was not changed"
                    : dest.path() + " holds earlier records of this stream, as misplaced" + (snapback != null
                    ? ": lvmsync --apply " + snapback.path() + " " + dest.path() + " undoes them" : "");
            failure = new LvmsyncException(FailureClass.BAD_INPUT, littleEndian + "; " + state);
            throw failure;
        }
        long keep = bounds.admit(offset, length);
        recordRemaining = keep;
        return keep;
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

    /**
     * Writes everything staged: old bytes to the snapback file and synced, then the new
     * bytes. A failure at any step stops this applier for good: it is not retried, and no
     * later call writes anything (retrying after a failed sync could overwrite bytes whose
     * pre-images never reached the disk).
     */
    public void flush() throws IOException {
        if (failure != null) {
            throw new LvmsyncException(failure.failureClass(), "nothing more is written to " + dest.path()
                    + " after the failure: " + failure.getMessage(), failure);
        }
        if (pieces == 0) {
            return;
        }
        if (snapback != null) {
            saveBatch();
        }
        writeBatch();
        pieces = 0;
        stagingUsed = 0;
    }

    /** The pre-images of the batch, appended to the snapback file and made durable. */
    private void saveBatch() throws IOException {
        for (int i = 0; i < pieces; i++) {
            saveOldBytes(pieceOffset[i], pieceLength[i]);
        }
        try {
            snapback.sync();
        } catch (IOException | RuntimeException e) {
            throw fail(e, "making snapback file " + snapback.path() + " durable failed", true);
        }
    }

    private void writeBatch() throws IOException {
        for (int i = 0; i < pieces; ) {
            int last = lastAdjacentPiece(i);
            long length = pieceStart[last] + pieceLength[last] - pieceStart[i];
            destinationTouched = true;
            try {
                dest.write(staging.asSlice(pieceStart[i], length), pieceOffset[i]);
            } catch (IOException | RuntimeException e) {
                throw fail(e, "writing " + dest.path() + " failed", false);
            }
            i = last + 1;
        }
    }

    /**
     * Records the failure and says in one line what it left: whether the destination was
     * touched, and how to get back. {@code beforeOverwrite}: the failed step came before
     * this batch's writes, so none of the bytes it was saving were overwritten.
     */
    private LvmsyncException fail(Exception cause, String what, boolean beforeOverwrite) {
        FailureClass kind = cause instanceof org.lvmsync.Classified c ? c.failureClass() : FailureClass.IO;
        failure = new LvmsyncException(kind, what + ": " + cause.getMessage() + "; " + leftBehind(beforeOverwrite), cause);
        return failure;
    }

    private String leftBehind(boolean beforeOverwrite) {
        if (!destinationTouched) {
            return dest.path() + " was not changed";
        }
        String protect = beforeOverwrite ? "the bytes being saved were not overwritten; " : "";
        return protect + dest.path() + " is partly updated: " + (snapback != null
                ? "lvmsync --apply " + snapback.path() + " " + dest.path() + " undoes this run, or "
                : "") + "running the same command again completes it";
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
            try {
                dest.read(old, gapStart);
            } catch (IOException | RuntimeException e) {
                throw fail(e, "reading the bytes about to be overwritten from " + dest.path() + " failed", true);
            }
            try {
                snapback.record(gapStart, old);
            } catch (IOException | RuntimeException e) {
                throw fail(e, "saving the bytes about to be overwritten to snapback file " + snapback.path()
                        + " failed", true);
            }
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
        complete();
        succeeded = true;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Log.info(String.format("Applied %d record%s (%d bytes) to %s in %.2f seconds", records,
                records == 1 ? "" : "s", bytes, dest.path(), seconds));
        if (bounds.skippedRecords() > 0) {
            long n = bounds.skippedRecords();
            Log.warn(n + " record" + (n == 1 ? "" : "s") + " reached past the end of " + dest.path() + "; the "
                    + bounds.skippedBytes() + " bytes past the end were skipped");
        }
        if (snapback != null) {
            Log.verbose("Snapback " + snapback.path() + ": " + snapback.records() + " records");
        }
    }

    /**
     * After the stream failed (corrupt, cut, unreadable, a record that does not fit):
     * writes and syncs the records that came before, which the snapback file covers, so a
     * rerun or a rollback starts from a known state. No summary: the run did not complete.
     * Does nothing if this applier itself failed, since then nothing more may be written.
     */
    public void finishBeforeFailure() throws IOException {
        if (failure != null) {
            return;
        }
        complete();
        Log.verbose("applied the " + records + " records (" + bytes + " bytes) before the failure to " + dest.path());
    }

    private void complete() throws IOException {
        flush();
        try {
            dest.sync();
        } catch (IOException | RuntimeException e) {
            throw fail(e, "making " + dest.path() + " durable failed", false);
        }
        finished = true;
    }

    public long records() {
        return records;
    }

    public long bytes() {
        return bytes;
    }

    public long skipped() {
        return bounds.skippedRecords();
    }

    /**
     * Releases the destination and the snapback file. Without a finish(), records still
     * staged are dropped; everything written so far is covered by the synced snapback file.
     * A snapback file of a run that never wrote to the destination is removed: it undoes
     * nothing, and left behind it would make running the same command again fail.
     */
    @Override
    public void close() throws IOException {
        if (!finished && pieces > 0) {
            Log.debug("closing unfinished apply: " + pieces + " staged records not written");
        }
        try (arena; dest) {
            if (snapback != null && !succeeded && !destinationTouched) {
                snapback.discard(failure != null ? failure : new IOException("unfinished apply"));
            } else if (snapback != null) {
                snapback.close();
            }
        }
    }
}
