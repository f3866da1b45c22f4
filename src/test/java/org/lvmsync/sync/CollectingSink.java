package org.lvmsync.sync;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;

/** Keeps every record (copied to the heap) for tests. */
final class CollectingSink implements RecordSink {
    record Rec(long offset, byte[] data) {
    }

    final List<Rec> records = new ArrayList<>();
    boolean finished;
    boolean closed;

    @Override
    public void accept(Record record, MemorySegment payload) {
        if (finished) {
            throw new IllegalStateException("record after finish");
        }
        switch (record) {
            case Record.Data data -> {
                if (payload.byteSize() != data.length()) {
                    throw new IllegalArgumentException("payload of " + payload.byteSize() + " bytes for " + data);
                }
                records.add(new Rec(data.offset(), payload.toArray(ValueLayout.JAVA_BYTE)));
            }
            case Record.Zero zero -> records.add(new Rec(zero.offset(), new byte[Math.toIntExact(zero.length())]));
            case Record.Discard discard -> records.add(new Rec(discard.offset(),
                    new byte[Math.toIntExact(discard.length())]));
            case Record.Header header -> { }
            case Record.End end -> throw new IllegalArgumentException("end record given to a sink");
        }
    }

    @Override
    public void finish() {
        finished = true;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The records written over a zeroed image of {@code size} bytes. */
    byte[] applyTo(int size) {
        byte[] image = new byte[size];
        for (Rec r : records) {
            System.arraycopy(r.data, 0, image, (int) r.offset, r.data.length);
        }
        return image;
    }
}
