package org.lvmsync.apply;

import java.io.IOException;

/**
 * Makes a destination read as zeros wherever a full copy sent nothing: a thin snapshot's
 * first copy sends only its mapped blocks, and the rest of the device must end up as the
 * zeros those unmapped blocks read as. Fed the records in the order they are applied: the
 * gap between the furthest end written so far and the next record, and at the end the
 * gap up to the device's size, become zero extents, unless the destination is known to
 * read zeros there already (a thin volume with nothing mapped), when they are skipped
 * and the destination stays thin.
 *
 * <p>A gap is one zero extent, never bytes: the extended stream carries it as a ZERO
 * record (a header, whatever its length), the applier zeroes it with the device's own
 * call (BLKZEROOUT, or a hole in an image file), and only the classic format, which has
 * data records alone, spells it out as records of zeros (its encoder does).
 *
 * <p>Only gaps past everything written are filled, so a zero never lands on a record's
 * bytes, whatever order the records come in. A resumed transfer starts the fill where
 * the receiver's durable part ends ({@link #resumeAt}): the gaps before it were filled by
 * the interrupted run of the same stream.
 */
public final class ZeroFill {
    /** How zeros reach the destination: the range {@code [offset, offset + length)} must read as zeros. */
    @FunctionalInterface
    public interface Writer {
        void zeros(long offset, long length) throws IOException;
    }

    private final long size;
    private final boolean readsZeros;
    private final Writer writer;
    private long covered;
    private long gapBytes;

    /**
     * @param size       the device size the copy covers
     * @param readsZeros the destination reads zeros wherever nothing is written: gaps are skipped
     */
    public ZeroFill(long size, boolean readsZeros, Writer writer) {
        this.size = size;
        this.readsZeros = readsZeros;
        this.writer = writer;
    }

    /** A resumed transfer: everything below {@code offset} is on the destination already, gaps included. */
    public void resumeAt(long offset) {
        covered = Math.max(covered, Math.min(offset, size));
    }

    /** Before a record at {@code offset}: fills the gap up to it. */
    public void before(long offset) throws IOException {
        fill(Math.min(offset, size));
    }

    /** After a record ending at {@code end}. */
    public void after(long end) {
        covered = Math.max(covered, end);
    }

    /** After the last record: fills the gap up to the size. */
    public void finish() throws IOException {
        fill(size);
    }

    /** Bytes of gaps: made zeros, or skipped on a destination that reads zeros. */
    public long gapBytes() {
        return gapBytes;
    }

    public boolean skipsGaps() {
        return readsZeros;
    }

    private void fill(long to) throws IOException {
        if (to <= covered) {
            return;
        }
        gapBytes += to - covered;
        long from = covered;
        covered = to;
        if (!readsZeros) {
            writer.zeros(from, to - from);
        }
    }
}
