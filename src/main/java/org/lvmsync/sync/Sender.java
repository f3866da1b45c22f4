package org.lvmsync.sync;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.lvmsync.ExitCode;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.transport.RecordSink;

/**
 * Turns runs into records: reads the changed ranges of the source in large aligned I/Os
 * and hands each range to a sink in records of at most {@link #MAX_RECORD} bytes.
 *
 * <p>Each run is read in aligned I/Os of up to {@link #IO_BYTES}; adjacent changed chunks
 * are already one run. Only changed chunks are read: {@link #MAX_GAP} (0) is how far a
 * read may run through unchanged bytes to join the next run, a knob kept for disks where
 * one long read beats two short ones (gap bytes would be read, never sent). Records are
 * slices of the read buffer, so no byte is copied on the way to the sink. The record bound keeps an
 * original 3.3.2 receiver happy (it reads each record whole into memory).
 *
 * <p>Runs whose last chunk passes the end of the source (an origin whose size is not a
 * multiple of the chunk size) are cut at the end; a run that starts past it is an error
 * (a --data-source smaller than the origin).
 */
public final class Sender {
    public static final long IO_BYTES = 4L << 20;
    public static final long MAX_RECORD = 1L << 20;
    public static final long MAX_GAP = 0;
    private static final long ALIGN = AlignedBuffer.ALIGNMENT;

    private final DirectReader source;
    private final RecordSink sink;
    private final Progress progress;
    private final long ioBytes;
    private final long maxRecord;

    public Sender(DirectReader source, RecordSink sink, Progress progress) {
        this(source, sink, progress, IO_BYTES, MAX_RECORD);
    }

    /** Sizes are 4096-aligned; records never exceed the read size. */
    Sender(DirectReader source, RecordSink sink, Progress progress, long ioBytes, long maxRecord) {
        if (!AlignedBuffer.isAligned(ioBytes) || ioBytes <= 0 || maxRecord <= 0 || maxRecord > ioBytes) {
            throw new IllegalArgumentException("bad sizes: io " + ioBytes + ", record " + maxRecord);
        }
        this.source = source;
        this.sink = sink;
        this.progress = progress;
        this.ioBytes = ioBytes;
        this.maxRecord = maxRecord;
    }

    /** Sends every run; returns the data bytes handed to the sink. Does not finish the sink. */
    public long send(RunList runs) throws IOException {
        long sent = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = AlignedBuffer.allocate(arena, ioBytes);
            int i = 0;
            long pos = runs.isEmpty() ? 0 : runs.offset(0);
            while (i < runs.runCount()) {
                checkInsideSource(runs, i);
                long windowStart = AlignedBuffer.alignDown(pos);
                long windowEnd = windowEnd(runs, i, pos, windowStart);
                MemorySegment window = fill(buffer, windowStart, windowEnd);
                // emit every run piece inside the window, then continue after it
                while (i < runs.runCount() && pos < windowEnd) {
                    long end = Math.min(runEnd(runs, i), windowEnd);
                    sent += emit(window, windowStart, pos, end);
                    if (end < runEnd(runs, i)) {
                        pos = end; // the run goes on in the next window
                        break;
                    }
                    i++;
                    if (i < runs.runCount()) {
                        pos = runs.offset(i);
                    }
                }
            }
        }
        return sent;
    }

    /**
     * Where the read starting at {@code windowStart} ends: as many runs from run {@code i}
     * (already begun at {@code pos}) as fit in the buffer, joined across small gaps.
     */
    private long windowEnd(RunList runs, int i, long pos, long windowStart) {
        long limit = windowStart + ioBytes;
        long end = Math.min(runEnd(runs, i), limit);
        for (int j = i + 1; j < runs.runCount() && end < limit; j++) {
            long next = runs.offset(j);
            if (next - end > MAX_GAP || next >= limit || next >= source.size()) {
                break;
            }
            end = Math.min(runEnd(runs, j), limit);
        }
        return end;
    }

    /** Reads {@code [start, end)} (rounded out to the alignment) into the buffer; returns the buffer. */
    private MemorySegment fill(MemorySegment buffer, long start, long end) throws IOException {
        long length = Math.min(AlignedBuffer.alignUp(end) - start, buffer.byteSize());
        long got = source.read(buffer.asSlice(0, length), start);
        if (start + got < end) {
            throw new EOFException(source.name() + ": the device ended at byte " + (start + got)
                    + " while reading changed data up to byte " + end);
        }
        return buffer;
    }

    private long emit(MemorySegment window, long windowStart, long from, long to) throws IOException {
        for (long at = from; at < to; ) {
            long length = Math.min(maxRecord, to - at);
            sink.record(at, window.asSlice(at - windowStart, length));
            progress.add(length);
            at += length;
        }
        return to - from;
    }

    /** The run's end, cut at the end of the source. */
    private long runEnd(RunList runs, int i) {
        return Math.min(runs.offset(i) + runs.length(i), source.size());
    }

    private void checkInsideSource(RunList runs, int i) {
        if (runs.offset(i) >= source.size()) {
            throw new LvmsyncException(ExitCode.FAILURE, "changed data at byte " + runs.offset(i)
                    + " lies past the end of " + source.name() + " (" + source.size()
                    + " bytes); is the data source smaller than the origin?");
        }
    }
}
