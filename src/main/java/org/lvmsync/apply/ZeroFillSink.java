package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.UUID;

import org.lvmsync.Log;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.stream.Resumable;
import org.lvmsync.stream.ResumeAnswer;

/**
 * A sink that passes records on and fills the gaps between them with zero records through
 * the same sink ({@link ZeroFill}): onto a local destination as its zeroing call, into a
 * change stream as ZERO records (spelt out as zeros in the classic format, which has no
 * other way to say "zeros here").
 *
 * <p>It answers a resuming sender for the sink it wraps, and the fill then starts where
 * the receiver's durable part of this stream ends.
 */
public final class ZeroFillSink implements RecordSink, Resumable {
    private final RecordSink inner;
    private final ZeroFill fill;
    private Optional<UUID> stream = Optional.empty();

    public ZeroFillSink(RecordSink inner, long size, boolean destinationReadsZeros) {
        this.inner = inner;
        this.fill = new ZeroFill(size, destinationReadsZeros,
                (offset, length) -> inner.accept(new Record.Zero(offset, length), MemorySegment.NULL));
    }

    @Override
    public void accept(Record record, MemorySegment payload) throws IOException {
        if (record instanceof Record.Header header) {
            stream = Optional.of(header.identity().streamId());
        }
        if (record instanceof Record.Extent extent) {
            fill.before(extent.offset());
            inner.accept(record, payload);
            fill.after(extent.end());
        } else {
            inner.accept(record, payload);
        }
    }

    /**
     * The wrapped receiver's answer. Where it says this stream is durable up to an offset,
     * the gaps below were filled by the run that got that far, whether or not the sender
     * takes the answer (a stream of the same id has the same runs, so the same gaps).
     */
    @Override
    public Optional<String> resumeAnswer() throws IOException {
        if (!(inner instanceof Resumable receiver)) {
            return Optional.empty();
        }
        Optional<String> line = receiver.resumeAnswer();
        line.flatMap(ResumeAnswer::parse).filter(a -> a.stream().isPresent() && a.stream().equals(stream))
                .ifPresent(a -> fill.resumeAt(a.offset()));
        return line;
    }

    @Override
    public void finish() throws IOException {
        fill.finish();
        say(fill);
        inner.finish();
    }

    /** One line on what happened to the gaps. */
    static void say(ZeroFill fill) {
        if (fill.gapBytes() > 0) {
            Log.verbose(fill.gapBytes() + " bytes no record covers (unmapped blocks): " + (fill.skipsGaps()
                    ? "skipped, the destination reads zeros there" : "zeroed"));
        }
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
