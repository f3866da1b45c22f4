package org.lvmsync.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Iterator;
import org.lvmsync.os.AlignedBuffer;

/**
 * The simplest engine: one pread(2) at a time, O_DIRECT where the device allows (see
 * {@link DeviceFile}). The yardstick the queued engines are measured against, and what
 * {@code LVMSYNC_QUEUE_DEPTH=1} selects.
 */
public final class PreadEngine implements IoEngine {
    private final DeviceFile device;

    private PreadEngine(DeviceFile device) {
        this.device = device;
    }

    public static PreadEngine open(Path path) throws IOException {
        return open(path, true);
    }

    /** {@code tryDirect} false forces the buffered fallback (for tests). */
    public static PreadEngine open(Path path, boolean tryDirect) throws IOException {
        return new PreadEngine(DeviceFile.open(path, tryDirect));
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public long size() {
        return device.size();
    }

    @Override
    public boolean grow() throws IOException {
        return device.grow();
    }

    @Override
    public boolean isDirect() {
        return device.direct();
    }

    @Override
    public boolean rotational() throws IOException {
        return device.rotational();
    }

    @Override
    public int queueDepth() {
        return 1;
    }

    @Override
    public long read(MemorySegment dst, long offset) throws IOException {
        long done = device.readAt(dst, offset);
        device.dropCached(offset, done);
        return done;
    }

    /** One buffer, one read at a time: read, hand over, read the next. */
    @Override
    public void readMany(Iterator<Read> reads, long maxLength, ReadHandler handler) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = AlignedBuffer.allocate(arena, maxLength);
            while (reads.hasNext()) {
                Read r = reads.next();
                QueuedEngine.checkLength(r, maxLength);
                long got = read(buffer.asSlice(0, r.length()), r.offset());
                if (!handler.completed(r, buffer.asSlice(0, got))) {
                    return;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PreadEngine[" + device.name() + (device.direct() ? ", O_DIRECT]" : ", buffered]");
    }

    @Override
    public void close() throws IOException {
        device.close();
    }
}
