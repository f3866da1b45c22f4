package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import org.lvmsync.Log;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;

/**
 * A sink that passes records on and fills the gaps between them with zeros through the
 * same sink ({@link ZeroFill}): onto a local destination as writes, into a change stream
 * as records of zeros (the classic format has no other way to say "zeros here").
 */
public final class ZeroFillSink implements RecordSink {
    private final RecordSink inner;
    private final ZeroFill fill;

    public ZeroFillSink(RecordSink inner, long size, boolean destinationReadsZeros) {
        this.inner = inner;
        this.fill = new ZeroFill(size, destinationReadsZeros, inner::data);
    }

    @Override
    public void accept(Record record, MemorySegment payload) throws IOException {
        if (record instanceof Record.Extent extent) {
            fill.before(extent.offset());
            inner.accept(record, payload);
            fill.after(extent.end());
        } else {
            inner.accept(record, payload);
        }
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
                    ? "skipped, the destination reads zeros there" : "written as zeros"));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            inner.close();
        } finally {
            fill.close();
        }
    }
}
