package org.lvmsync.sync;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.changes.RunList;
import org.lvmsync.io.IoEngine;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.report.Progress;
import org.lvmsync.stream.RecordSink;

/**
 * Turns runs into records: reads the changed ranges of the source through an
 * {@link IoEngine} in large aligned reads (windows) and hands each range to a sink in
 * records of at most {@link #MAX_RECORD} bytes.
 *
 * <p>Each run is read in windows of up to {@link #IO_BYTES}; adjacent changed chunks are
 * already one run, and only changed chunks are read. The windows are one plan handed to
 * the engine, which may read ahead of the records being sent; records leave in order.
 * Records are slices of the engine's buffer, borrowed for the sink's call, so no byte is
 * copied on the way to the sink. The record bound keeps an original 3.3.2 receiver happy
 * (it reads each record whole into memory).
 *
 * <p>The runs describe a device of {@code deviceSize} bytes (the origin). A source smaller
 * than that (a --data-source) is refused before anything is read or sent: the changes
 * past its end could not be sent, and cutting them would leave the destination different
 * from the origin with a zero exit. Runs whose last chunk passes the end of the device (an
 * origin whose size is not a multiple of the chunk size) are cut at its end; a run that
 * starts past it is refused.
 */
public final class Sender {
    public static final long IO_BYTES = 4L << 20;
    public static final long MAX_RECORD = 1L << 20;

    private final IoEngine source;
    private final long deviceSize;
    private final RecordSink sink;
    private final Progress progress;
    private final long ioBytes;
    private final long maxRecord;
    private final long readGap;

    /** Sends the changes of a device of {@code deviceSize} bytes, reading them from {@code source}, each run apart. */
    public Sender(IoEngine source, long deviceSize, RecordSink sink, Progress progress) {
        this(source, deviceSize, sink, progress, 0);
    }

    /** As above, runs at most {@code readGap} bytes apart read together (see {@link ReadGap}). */
    public Sender(IoEngine source, long deviceSize, RecordSink sink, Progress progress, long readGap) {
        this(source, deviceSize, sink, progress, IO_BYTES, MAX_RECORD, readGap);
    }

    /** Without runs read together (tests of the windows). */
    Sender(IoEngine source, long deviceSize, RecordSink sink, Progress progress, long ioBytes, long maxRecord) {
        this(source, deviceSize, sink, progress, ioBytes, maxRecord, 0);
    }

    /** Sizes are 4096-aligned; records never exceed the read size; runs at most {@code readGap} apart are read together. */
    Sender(IoEngine source, long deviceSize, RecordSink sink, Progress progress, long ioBytes, long maxRecord,
           long readGap) {
        if (!AlignedBuffer.isAligned(ioBytes) || ioBytes <= 0 || maxRecord <= 0 || maxRecord > ioBytes || readGap < 0) {
            throw new IllegalArgumentException("bad sizes: io " + ioBytes + ", record " + maxRecord + ", gap " + readGap);
        }
        requireLargeEnough(source, deviceSize);
        this.source = source;
        this.deviceSize = deviceSize;
        this.sink = sink;
        this.progress = progress;
        this.ioBytes = ioBytes;
        this.maxRecord = maxRecord;
        this.readGap = readGap;
    }

    /** Sends every run; returns the data bytes handed to the sink. Does not finish the sink. */
    public long send(RunList runs) throws IOException {
        checkInsideSource(runs);
        Windows planned = new Windows(runs);
        Windows handled = new Windows(runs);
        long[] sent = {0};
        source.readMany(plan(planned), ioBytes, (read, data) -> {
            sent[0] += emit(handled, read, data);
            return true;
        });
        return sent[0];
    }

    /** The windows as reads, in order. */
    private Iterator<IoEngine.Read> plan(Windows windows) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return windows.hasCurrent();
            }

            @Override
            public IoEngine.Read next() {
                return windows.take();
            }
        };
    }

    /** Sends the parts of runs that the window read covers, in records. */
    private long emit(Windows windows, IoEngine.Read read, MemorySegment data) throws IOException {
        IoEngine.Read window = windows.take();
        assert window.equals(read) : "window " + window + " out of step with read " + read;
        long sent = 0;
        for (int i = 0; i < windows.segments; i++) {
            long from = windows.from[i];
            long to = windows.to[i];
            if (read.offset() + data.byteSize() < to) {
                throw new EOFException(source.name() + ": the device ended at byte " + (read.offset() + data.byteSize())
                        + " while reading changed data up to byte " + to);
            }
            for (long at = from; at < to; ) {
                long length = Math.min(maxRecord, to - at);
                sink.data(at, data.asSlice(at - read.offset(), length));
                progress.add(length);
                at += length;
            }
            sent += to - from;
        }
        return sent;
    }

    /**
     * Refuses a source smaller than the device whose changes are sent, before anything is
     * sent (callers check before they open a sink, too).
     */
    public static void requireLargeEnough(IoEngine source, long deviceSize) {
        if (source.size() < deviceSize) {
            throw new LvmsyncException(FailureClass.USAGE, "the data source " + source.name() + " (" + source.size()
                    + " bytes) is smaller than the origin (" + deviceSize + " bytes): changes past its end could not"
                    + " be sent; read from a device at least as large as the origin");
        }
    }

    private void checkInsideSource(RunList runs) {
        if (!runs.isEmpty() && runs.lastRunOffset() >= deviceSize) {
            throw new LvmsyncException(FailureClass.BAD_INPUT, "changed data at byte " + runs.lastRunOffset()
                    + " lies past the end of the origin (" + deviceSize + " bytes); the change list is damaged");
        }
    }

    /**
     * A position in the run list, stepping window by window. A window starts at the aligned
     * position at or before the current one and reaches to the end of the run (cut at the
     * end of the source) or as far as one read goes; a run that ends inside it takes in the
     * runs that follow within {@link #readGap} bytes, as long as they fit whole: one read
     * then brings several runs and the unchanged bytes between them, which are not sent.
     * The plan and the sending each keep one, so the engine may read ahead while the
     * sending catches up; both step through the same windows.
     */
    private final class Windows {
        private final RunList.Cursor runs;
        private boolean current;
        private long pos;
        private long runEnd;
        /** The parts of runs the last window covers: [from[i], to[i]) for i below segments. */
        long[] from = new long[8];
        long[] to = new long[8];
        int segments;

        Windows(RunList list) {
            this.runs = list.cursor();
            nextRun();
        }

        boolean hasCurrent() {
            return current;
        }

        /** The next window's read; its parts of runs are in from/to afterwards. */
        IoEngine.Read take() {
            long start = AlignedBuffer.alignDown(pos);
            long limit = start + ioBytes;
            segments = 0;
            long end = Math.min(runEnd, limit);
            add(pos, end);
            if (end < runEnd) {
                pos = end;   // the run goes on in the next window
            } else {
                nextRun();
                while (current && pos - end <= readGap && runEnd <= limit) {
                    add(pos, runEnd);
                    end = runEnd;
                    nextRun();
                }
            }
            return new IoEngine.Read(start, AlignedBuffer.alignUp(end) - start);
        }

        private void add(long a, long b) {
            if (segments == from.length) {
                from = java.util.Arrays.copyOf(from, segments * 2);
                to = java.util.Arrays.copyOf(to, segments * 2);
            }
            from[segments] = a;
            to[segments] = b;
            segments++;
        }

        private void nextRun() {
            current = runs.next();
            if (current) {
                pos = runs.offset();
                runEnd = Math.min(runs.offset() + runs.length(), deviceSize);
            }
        }
    }
}
