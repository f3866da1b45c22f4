package org.lvmsync.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.lvmsync.Log;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Uring;

/**
 * What every engine that keeps several reads in flight shares: up to {@link #queueDepth()}
 * reads of the plan are started ahead of the one being handled, each into its own buffer
 * from a {@link BufferRing}, and handed over strictly in plan order. How a read is started
 * and how its completion comes back is the subclass's (io_uring, a thread pool).
 *
 * <p>Buffers are bounded in bytes as well as in number ({@link #BUFFER_BUDGET}): 32 reads
 * of 4 KiB scattered chunks are all in flight, while of 4 MiB windows only as many as the
 * budget holds, which already keeps a disk streaming; memory stays flat at any plan size.
 *
 * <p>However a plan ends (the handler says stop, throws, a read fails), every read still
 * in flight is waited for before its buffer is freed: the kernel may still be writing
 * into it.
 */
abstract class QueuedEngine implements IoEngine {
    /** Bytes of read buffers one {@link #readMany} holds at most. */
    static final long BUFFER_BUDGET = 32L << 20;

    protected final DeviceFile device;
    protected final int depth;

    /** One read in flight: where it goes, how far it got, how it ended. */
    static final class Slot {
        final int index;
        Read read;
        MemorySegment buffer;
        long done;
        boolean complete;
        IOException error;

        Slot(int index) {
            this.index = index;
        }
    }

    QueuedEngine(DeviceFile device, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("queue depth " + depth);
        }
        this.device = device;
        this.depth = depth;
    }

    /** Starts reading {@code slot.buffer} from byte {@code slot.done} on, at {@code slot.read.offset() + slot.done}. */
    abstract void start(Slot slot) throws IOException;

    /** Hands every started read to the device now (reads may be batched until this). */
    abstract void submit() throws IOException;

    /** Blocks until at least one started read completed, reporting each through {@link #finished}. */
    abstract void awaitCompletions(Slot[] slots) throws IOException;

    /** The arena the plan's buffers live in (shared where other threads fill them). */
    abstract Arena bufferArena();

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
        return depth;
    }

    @Override
    public long read(MemorySegment dst, long offset) throws IOException {
        long done = device.readAt(dst, offset);
        device.dropCached(offset, done);
        return done;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + device.name() + ", depth " + depth
                + (device.direct() ? ", O_DIRECT]" : ", buffered]");
    }

    static void checkLength(Read r, long maxLength) {
        if (r.length() > maxLength) {
            throw new IllegalArgumentException("read of " + r.length() + " bytes exceeds the plan's maximum " + maxLength);
        }
    }

    @Override
    public void readMany(Iterator<Read> reads, long maxLength, ReadHandler handler) throws IOException {
        long ringBytes = Math.max(AlignedBuffer.alignUp(maxLength),
                Math.min((long) depth * AlignedBuffer.alignUp(maxLength), BUFFER_BUDGET));
        Arena arena = bufferArena();
        Slot[] slots = new Slot[depth];
        for (int i = 0; i < depth; i++) {
            slots[i] = new Slot(i);
        }
        ArrayDeque<Slot> inFlight = new ArrayDeque<>(depth);
        boolean drained = false;
        try {
            BufferRing ring = new BufferRing(AlignedBuffer.allocate(arena, ringBytes), depth);
            ArrayDeque<Slot> free = new ArrayDeque<>(java.util.List.of(slots));
            Read next = null;
            while (true) {
                while (!free.isEmpty()) {
                    if (next == null) {
                        if (!reads.hasNext()) {
                            break;
                        }
                        next = reads.next();
                        checkLength(next, maxLength);
                    }
                    if (!issue(next, free, inFlight, ring)) {
                        break;
                    }
                    next = null;
                }
                if (inFlight.isEmpty()) {
                    break;
                }
                submit();
                Slot head = inFlight.peek();
                while (!head.complete) {
                    awaitCompletions(slots);
                }
                inFlight.poll();
                if (head.error != null) {
                    throw head.error;
                }
                device.dropCached(head.read.offset(), head.done);
                boolean more = handler.completed(head.read, head.buffer.asSlice(0, head.done));
                if (head.buffer.byteSize() > 0) {
                    ring.releaseOldest();
                }
                free.push(head);
                if (!more) {
                    break;
                }
            }
            drained = drain(inFlight, slots);
        } finally {
            if (!drained) {
                drained = drainQuietly(inFlight, slots);
            }
            if (drained) {
                arena.close();
            } // else: a read may still be writing into the buffers; leaving them is the safe choice
        }
    }

    /** Starts {@code read} in a free slot; false when the ring has no room for its buffer yet. */
    private boolean issue(Read read, ArrayDeque<Slot> free, ArrayDeque<Slot> inFlight, BufferRing ring)
            throws IOException {
        long length = device.clip(read.offset(), read.length());
        MemorySegment buffer = length == 0 ? MemorySegment.NULL : ring.take(length);
        if (buffer == null) {
            return false;
        }
        Slot slot = free.pop();
        slot.read = read;
        slot.buffer = buffer;
        slot.done = 0;
        slot.error = null;
        slot.complete = length == 0; // past the end: nothing to read
        if (!slot.complete) {
            try {
                start(slot);
            } catch (IOException | RuntimeException e) {
                free.push(slot);
                ring.releaseNewest(buffer);
                throw e;
            }
        }
        inFlight.add(slot);
        return true;
    }

    /**
     * Records the result of one read: bytes (done when the buffer is full or the device
     * ended; a short read in between goes on from where it stopped), or a negative errno.
     */
    final void finished(Slot slot, long result, IOException error) {
        if (error != null) {
            slot.error = error;
            slot.complete = true;
            return;
        }
        if (result < 0) {
            int errno = (int) -result;
            if (Uring.isTransient(errno)) {
                restart(slot);
                return;
            }
            slot.error = new ErrnoException("read", device.name() + " at offset " + (slot.read.offset() + slot.done), errno);
            slot.complete = true;
            return;
        }
        slot.done += result;
        boolean more = result > 0 && slot.done < slot.buffer.byteSize()
                && slot.read.offset() + slot.done < device.size();
        if (more) {
            restart(slot);
        } else {
            slot.complete = true;
        }
    }

    /** Records a read that is over: {@code bytes} more were read, or it failed. */
    final void ended(Slot slot, long bytes, IOException error) {
        slot.done += bytes;
        slot.error = error;
        slot.complete = true;
    }

    /** Starts the rest of a read; a failure to start ends it with that error, reported in its turn. */
    private void restart(Slot slot) {
        try {
            start(slot);
        } catch (IOException e) {
            slot.error = e;
            slot.complete = true;
        }
    }

    private boolean drain(ArrayDeque<Slot> inFlight, Slot[] slots) throws IOException {
        submit();
        while (inFlight.stream().anyMatch(s -> !s.complete)) {
            awaitCompletions(slots);
        }
        inFlight.clear();
        return true;
    }

    private boolean drainQuietly(ArrayDeque<Slot> inFlight, Slot[] slots) {
        try {
            return drain(inFlight, slots);
        } catch (IOException | RuntimeException e) {
            Log.debug(device.name() + ": reads in flight could not be waited for (" + e
                    + "); their buffers are left allocated");
            return false;
        }
    }
}
