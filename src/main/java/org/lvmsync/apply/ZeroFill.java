package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.lvmsync.os.AlignedBuffer;

/**
 * Makes a destination read as zeros wherever a full copy sent nothing: a thin snapshot's
 * first copy sends only its mapped blocks, and the rest of the device must end up as the
 * zeros those unmapped blocks read as. Fed the records in the order they are applied: the
 * gap between the furthest end written so far and the next record, and at the end the
 * gap up to the device's size, are written as zeros, unless the destination is known to
 * read zeros there already (a thin volume with nothing mapped), when they are skipped
 * and the destination stays thin.
 *
 * <p>Only gaps past everything written are filled, so a zero never lands on a record's
 * bytes, whatever order the records come in.
 */
public final class ZeroFill implements AutoCloseable {
    /** How zeros reach the destination: {@code zeros} is borrowed for the call. */
    @FunctionalInterface
    public interface Writer {
        void zeros(long offset, MemorySegment zeros) throws IOException;
    }

    /** Zeros are written in pieces of this size (a record of the classic stream's bound). */
    static final long PIECE = 1L << 20;

    private final long size;
    private final boolean readsZeros;
    private final Writer writer;
    private final Arena arena;
    private final MemorySegment zeros;
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
        this.arena = readsZeros ? null : Arena.ofConfined();
        this.zeros = readsZeros ? null : AlignedBuffer.allocate(arena, PIECE);   // allocated zeroed
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

    /** Bytes of gaps: written as zeros, or skipped on a destination that reads zeros. */
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
        if (!readsZeros) {
            for (long at = covered; at < to; ) {
                long end = Math.min(to, at - at % PIECE + PIECE);   // pieces end on PIECE boundaries
                writer.zeros(at, zeros.asSlice(0, end - at));
                at = end;
            }
        }
        covered = to;
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
