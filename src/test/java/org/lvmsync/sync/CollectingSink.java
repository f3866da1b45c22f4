package org.lvmsync.sync;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.lvmsync.transport.RecordSink;

/** Keeps every record (copied to the heap) for tests. */
final class CollectingSink implements RecordSink {
    record Rec(long offset, byte[] data) {
    }

    final List<Rec> records = new ArrayList<>();
    boolean finished;
    boolean closed;

    @Override
    public void record(long offset, MemorySegment data) {
        if (finished) {
            throw new IllegalStateException("record after finish");
        }
        records.add(new Rec(offset, data.toArray(ValueLayout.JAVA_BYTE)));
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
