package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.stream.Resumable;
import org.lvmsync.stream.StreamIdentity;

/**
 * Writes records onto a destination device or image file, saving what they overwrite to
 * a snapback file first. Used by {@code --apply} (fed by a stream decoder) and in-process
 * by a local sync (as its {@link RecordSink}).
 *
 * <p>Records are staged in a fixed buffer of {@link #STAGING_BYTES}. A full buffer is
 * written as one batch: (1) read the old bytes the batch will overwrite and append them to
 * the snapback file, (2) one fdatasync of the snapback file, (3) write the batch, in the
 * background ({@link BatchWriter}: while it goes to the device the next batch is staged in
 * a second buffer, and steps 1 and 2 for it run). So the undo data is durable before the
 * first byte it protects is overwritten, at one sync per batch rather than one per 4 KiB
 * record. Zero and discard records take part in batches
 * like data (their pre-images are saved the same way; with a snapback file a batch covers
 * at most {@link #STAGING_BYTES} of the device) and are written as the destination's
 * zeroing and deallocating calls (see {@link Destination}).
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
 * <p>The destination's record ({@link Journal}) is checked when the applier opens (a
 * stream from another base is refused before anything is written), marked as changing
 * before the first write, advanced every {@link #CHECKPOINT_BYTES} once the destination
 * is synced (where a resumed transfer may start), and says what the destination holds
 * once the run completed. With --verify, {@link #finish()} reads back what was written.
 *
 * <p>A failure while writing a batch stops the applier for good (see {@link #flush()}),
 * and its message says what the destination was left like and how to get back.
 */
public final class Applier implements RecordSink, Resumable {
    /** Staging buffer: records are written, and snapback data synced, in batches of this size. */
    public static final long STAGING_BYTES = 4L << 20;
    /** A batch holds at most this many pieces, even of tiny records. */
    static final int MAX_PIECES = 8192;
    /** The destination is synced and the record's durable point moved on after this many bytes. */
    static final long CHECKPOINT_BYTES = 64L << 20;

    private final Destination dest;
    private final Snapback snapback;            // null without --snapback
    private final RangeSet written;             // null without --snapback
    private final Bounds bounds;
    private final Journal journal;
    private final Verifier verifier;            // null without --verify
    private final Optional<StreamIdentity> incoming;
    // shared, not confined: the writer's threads read the staged bytes; only this applier frees them
    private final Arena arena = Arena.ofShared();
    private final MemorySegment oldBytes = AlignedBuffer.allocate(arena, STAGING_BYTES);
    private Batch batch = new Batch(arena, STAGING_BYTES, MAX_PIECES);   // being staged
    private Batch spare = new Batch(arena, STAGING_BYTES, MAX_PIECES);   // being written, or free
    private final BatchWriter writer;

    private final long startNanos = System.nanoTime();
    private long records;
    private long recordRemaining;   // bytes of the admitted record not given to write() yet
    private long recordEnd;         // where the admitted record ends on the device
    private long stagedEnd;         // end of the last record staged whole: durable once flushed and synced
    private long sinceCheckpoint;
    private long bytes;
    private long zeroBytes;
    private long discardBytes;
    private boolean overlapWarned;
    private long gapBytes;
    private boolean finished;       // the destination was synced (a whole run, or the part before a failure)
    private boolean succeeded;      // finish() completed: the run is whole
    private boolean suspectLittleEndian;
    /** Set before the first write to the destination: from then on the snapback file is the way back. */
    private boolean destinationTouched;
    /** The first failure of a batch; nothing is written after it. */
    private LvmsyncException failure;

    private Applier(Destination dest, Snapback snapback, Journal journal, ApplyOptions options,
                    Optional<StreamIdentity> incoming) {
        this.dest = dest;
        this.snapback = snapback;
        this.written = snapback == null ? null : new RangeSet();
        this.bounds = new Bounds(dest.path(), dest.isBlockDevice(), dest.size(), options.skipPastEnd());
        this.journal = journal;
        this.verifier = options.verify() ? new Verifier() : null;
        this.incoming = incoming;
        this.writer = new BatchWriter(dest);
    }

    /**
     * Opens the destination (claiming a block device exclusively) and creates the snapback
     * file, if any; no destination record, no verification. Nothing is written yet.
     */
    public static Applier open(Path destination, Optional<Path> snapbackFile, boolean skipPastEnd) throws IOException {
        return open(destination, ApplyOptions.basic(snapbackFile, skipPastEnd), Optional.empty());
    }

    /**
     * Opens the destination, reads its record and checks the incoming stream against it,
     * then creates the snapback file, if any. Nothing is written to the destination yet.
     *
     * @param incoming the identity of the stream about to be applied; empty for the original's formats
     * @throws LvmsyncException WRONG_BASE if the stream leads from another snapshot than the
     *                          destination holds (unless {@code options.force()})
     */
    public static Applier open(Path destination, ApplyOptions options, Optional<StreamIdentity> incoming)
            throws IOException {
        Destination dest = Destination.open(destination);
        Journal journal = null;
        try {
            journal = options.stateDir().isPresent()
                    ? Journal.open(options.stateDir().get(), dest.key(), destination, incoming, options.force())
                    : Journal.none(incoming);
            Snapback snapback = null;
            if (options.snapback().isPresent()) {
                long deviceSize = incoming.map(StreamIdentity::deviceSize).orElse(dest.size());
                snapback = Snapback.create(options.snapback().get(), journal.undoIdentity(deviceSize));
            }
            return new Applier(dest, snapback, journal, options, incoming);
        } catch (IOException | RuntimeException e) {
            if (journal != null) {
                journal.close();
            }
            try {
                dest.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The destination as named. */
    public Path destination() {
        return dest.path();
    }

    /** Capacity of a block device, or the length of an image file when it was opened. */
    public long destinationSize() {
        return dest.size();
    }

    /** Where the incoming stream may resume, from the destination's record (see {@link Journal}). */
    @Override
    public Optional<String> resumeAnswer() {
        return Optional.of(journal.resumeAnswer().line());
    }

    /** A record from an in-process sender; its payload is copied into the staging buffer before this returns. */
    @Override
    public void accept(Record record, MemorySegment payload) throws IOException {
        switch (record) {
            case Record.Data data -> {
                long keep = admit(data.offset(), data.length());
                if (keep > 0) {
                    write(data.offset(), payload.asSlice(0, keep), OptionalInt.empty());
                }
            }
            case Record.Zero zero -> zero(zero.offset(), admit(zero.offset(), zero.length()));
            case Record.Discard discard -> discard(discard.offset(), admit(discard.offset(), discard.length()));
            case Record.Header header -> {
                // opened without identity (library use), a header changes nothing; with one, it must be that one
                if (incoming.isPresent() && !incoming.equals(Optional.of(header.identity()))) {
                    throw new IllegalStateException("the stream header " + header.identity()
                            + " is not the identity this applier was opened for (" + incoming + ")");
                }
            }
            case Record.End end -> { }
        }
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
     * Checks a record (data, zero or discard) before any of it is written.
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
            batch.clear();
            String state = !destinationTouched ? dest.path() + " was not changed"
                    : dest.path() + " holds earlier records of this stream, as misplaced" + (snapback != null
                    ? ": lvmsync --apply " + snapback.path() + " " + dest.path() + " undoes them" : "");
            failure = new LvmsyncException(FailureClass.BAD_INPUT, littleEndian + "; " + state);
            throw failure;
        }
        long keep = bounds.admit(offset, length);
        recordRemaining = keep;
        recordEnd = offset + length;
        if (keep == 0) {
            stagedEnd = recordEnd;    // skipped whole: nothing to wait for
        }
        return keep;
    }

    /**
     * Stages an admitted data record, whole or in consecutive parts; it reaches the
     * destination with its batch.
     *
     * @param crc the CRC32C of {@code data} as the stream carries it, for --verify (computed
     *            here when empty)
     */
    public void write(long offset, MemorySegment data, OptionalInt crc) throws IOException {
        if (verifier != null) {
            if (data.byteSize() <= ReadBack.WINDOW) {
                verifier.data(offset, data.byteSize(), crc.orElseGet(() -> Verifier.crc(data)));
            } else {
                for (long at = 0; at < data.byteSize(); at += ReadBack.WINDOW) {
                    MemorySegment part = data.asSlice(at, Math.min(ReadBack.WINDOW, data.byteSize() - at));
                    verifier.data(offset + at, part.byteSize(), Verifier.crc(part));
                }
            }
        }
        long done = 0;
        while (done < data.byteSize()) {
            long n = Math.min(data.byteSize() - done, STAGING_BYTES);
            long at = dest.directCapable(offset + done, n) ? AlignedBuffer.alignUp(batch.used()) : batch.used();
            if (batch.full() || at + n > STAGING_BYTES || snapback != null && batch.deviceBytes() + n > STAGING_BYTES) {
                flush();
                at = 0;
            }
            MemorySegment.copy(data, done, batch.staging, at, n);
            batch.add(Batch.DATA, offset + done, at, n);
            done += n;
        }
        bytes += data.byteSize();
        recordRemaining -= data.byteSize();
        if (recordRemaining <= 0) {
            recordDone();
        }
    }

    /** Stages an admitted data record given whole, without a stream checksum. */
    public void write(long offset, MemorySegment data) throws IOException {
        write(offset, data, OptionalInt.empty());
    }

    /** Stages the first {@code keep} bytes of an admitted zero record: they will read back as zeros. */
    public void zero(long offset, long keep) throws IOException {
        extent(Batch.ZERO, offset, keep);
        zeroBytes += keep;
    }

    /** Stages the first {@code keep} bytes of an admitted discard record: deallocated where that reads zeros. */
    public void discard(long offset, long keep) throws IOException {
        extent(Batch.DISCARD, offset, keep);
        discardBytes += keep;
    }

    private void extent(byte kind, long offset, long keep) throws IOException {
        if (keep == 0) {
            return;
        }
        if (verifier != null) {
            verifier.zero(offset, keep);
        }
        long done = 0;
        while (done < keep) {
            // with a snapback file a batch covers at most the staging size: its pre-images are read whole
            long room = snapback == null ? keep - done : STAGING_BYTES - batch.deviceBytes();
            if (batch.full() || room <= 0) {
                flush();
                continue;
            }
            long n = Math.min(keep - done, room);
            batch.add(kind, offset + done, 0, n);
            done += n;
        }
        recordDone();
    }

    /** Counted once complete: a record cut short by its stream does not count. */
    private void recordDone() {
        records++;
        recordRemaining = 0;
        stagedEnd = Math.max(stagedEnd, recordEnd);
    }

    /**
     * Hands everything staged to the writer: old bytes to the snapback file and synced,
     * then, once the batch before has reached the device, the new bytes (written in the
     * background while the next batch is staged; see {@link BatchWriter}). A failure at
     * any step stops this applier for good: it is not retried, and no later call writes
     * anything (retrying after a failed sync could overwrite bytes whose pre-images never
     * reached the disk). A failed write of a batch is reported by the next flush.
     */
    public void flush() throws IOException {
        if (failure != null) {
            throw new LvmsyncException(failure.failureClass(), "nothing more is written to " + dest.path()
                    + " after the failure: " + failure.getMessage(), failure);
        }
        if (batch.pieces() == 0) {
            return;
        }
        long complete = stagedEnd;   // every record staged whole so far is in this batch or an earlier one
        journal.begin();
        if (snapback != null) {
            // the batch in flight covers only ranges already in 'written': these pre-images are not its bytes
            saveBatch();
        }
        awaitWriter();
        destinationTouched = true;
        Batch handed = batch;
        writer.start(handed);
        batch = spare;
        spare = handed;
        batch.clear();
        sinceCheckpoint += handed.deviceBytes();
        if (sinceCheckpoint >= CHECKPOINT_BYTES) {
            checkpoint(complete);
        }
    }

    /** The destination made durable, then the record told how far this stream is durable. */
    private void checkpoint(long complete) throws IOException {
        awaitWriter();
        try {
            dest.sync();
        } catch (IOException | RuntimeException e) {
            throw fail(e, "making " + dest.path() + " durable failed", false);
        }
        journal.durable(complete);
        sinceCheckpoint = 0;
    }

    /** The pre-images of the batch, appended to the snapback file and made durable. */
    private void saveBatch() throws IOException {
        for (int i = 0; i < batch.pieces(); i++) {
            saveOldBytes(batch.offset(i), batch.length(i));
        }
        try {
            snapback.sync();
        } catch (IOException | RuntimeException e) {
            throw fail(e, "making snapback file " + snapback.path() + " durable failed", true);
        }
    }

    /** Waits for the batch being written; its failure becomes this applier's. */
    private void awaitWriter() throws IOException {
        try {
            writer.await();
        } catch (IOException | RuntimeException e) {
            throw fail(e, "writing " + dest.path() + " failed", false);
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
        return protect + dest.path() + " is partly updated: " + rollBack() + "running the same command again completes it";
    }

    /** "lvmsync --apply UNDO DEST undoes this run, or " when there is an undo file. */
    private String rollBack() {
        return snapback != null ? "lvmsync --apply " + snapback.path() + " " + dest.path() + " undoes this run, or " : "";
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

    /**
     * Writes what is staged, makes the destination durable, verifies (--verify), records
     * what the destination now holds, ends the snapback file and prints the summary.
     */
    @Override
    public void finish() throws IOException {
        complete();
        if (verifier != null) {
            try {
                verifier.check(dest.path());
            } catch (LvmsyncException mismatch) {
                endSnapback();
                throw new LvmsyncException(mismatch.failureClass(), mismatch.getMessage()
                        + (snapback != null ? "; or roll back: lvmsync --apply " + snapback.path() + " " + dest.path() : ""),
                        mismatch);
            }
        }
        journal.durable(stagedEnd);
        journal.complete();
        if (snapback != null) {
            try {
                snapback.finish();
            } catch (IOException | RuntimeException e) {
                throw fail(e, "ending snapback file " + snapback.path() + " failed (it still undoes this run;"
                        + " applying it reports its missing end record)", false);
            }
        }
        succeeded = true;
        summary();
    }

    private void summary() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String extents = (zeroBytes > 0 ? ", " + zeroBytes + " zeroed" : "") + (discardBytes > 0 ? ", " + discardBytes
                + " discarded" : "");
        Log.info(String.format("Applied %d record%s (%d bytes%s) to %s in %.2f seconds", records,
                records == 1 ? "" : "s", bytes, extents, dest.path(), seconds));
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
     * rerun or a rollback starts from a known state, and records how far the stream got (a
     * resumed transfer starts there). No summary: the run did not complete. Does nothing if
     * this applier itself failed, since then nothing more may be written.
     */
    public void finishBeforeFailure() throws IOException {
        if (failure != null) {
            return;
        }
        complete();
        journal.durable(stagedEnd);
        Log.verbose("applied the " + records + " records (" + bytes + " bytes) before the failure to " + dest.path());
    }

    private void complete() throws IOException {
        flush();
        awaitWriter();
        try {
            dest.sync();
        } catch (IOException | RuntimeException e) {
            throw fail(e, "making " + dest.path() + " durable failed", false);
        }
        finished = true;
    }

    /** Ends the snapback file after a run that stopped in order; a failure here only costs its end record. */
    private void endSnapback() {
        if (snapback != null && snapback.usableForMore()) {
            try {
                snapback.finish();
            } catch (IOException | RuntimeException e) {
                Log.debug("ending snapback file " + snapback.path() + ": " + e.getMessage());
            }
        }
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

    /** Whether anything was written to the destination (then the snapback file is the way back). */
    public boolean touched() {
        return destinationTouched;
    }

    /** The snapback file, if this run keeps one. */
    public Optional<Path> snapbackPath() {
        return snapback == null ? Optional.empty() : Optional.of(snapback.path());
    }

    /**
     * Releases the destination and the snapback file. Without a finish(), records still
     * staged are dropped; everything written so far is covered by the synced snapback file,
     * which gets its end record. A snapback file of a run that never wrote to the
     * destination is removed: it undoes nothing, and left behind it would make running the
     * same command again fail.
     */
    @Override
    public void close() throws IOException {
        if (!finished && batch.pieces() > 0) {
            Log.debug("closing unfinished apply: " + batch.pieces() + " staged pieces not written");
        }
        writer.close();   // a batch still in flight is written before its destination closes
        try (arena; dest; journal) {
            if (snapback != null && !succeeded && !destinationTouched) {
                snapback.discard(failure != null ? failure : new IOException("unfinished apply"));
            } else if (snapback != null) {
                endSnapback();
                snapback.close();
            }
        }
    }
}
