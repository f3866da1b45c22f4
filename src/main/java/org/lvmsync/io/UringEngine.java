package org.lvmsync.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Faults;
import org.lvmsync.os.Uring;

/**
 * Keeps up to {@code depth} reads in flight through one io_uring: every read of the plan
 * that has a free slot and room in the buffer ring is queued as an IORING_OP_READ, and
 * one io_uring_enter both submits what was queued and waits for the oldest result. One
 * thread, no locks: the kernel does the reads in parallel, the caller handles results
 * in order while the next reads run.
 */
public final class UringEngine extends QueuedEngine {
    private final Uring uring;
    private Slot[] current;

    private UringEngine(DeviceFile device, int depth, Uring uring) {
        super(device, Math.min(depth, uring.entries()));
        this.uring = uring;
    }

    /**
     * Opens {@code path} with a ring of {@code depth} entries. Throws ErrnoException
     * (ENOSYS, EPERM, EINVAL) where the kernel has no usable io_uring: the caller picks
     * another engine then.
     */
    public static UringEngine open(Path path, int depth) throws IOException {
        return open(path, depth, true);
    }

    /** {@code tryDirect} false forces buffered reads (for tests). */
    public static UringEngine open(Path path, int depth, boolean tryDirect) throws IOException {
        Uring uring = Uring.setup(depth);
        try {
            return new UringEngine(DeviceFile.open(path, tryDirect), depth, uring);
        } catch (IOException | RuntimeException e) {
            try {
                uring.close();
            } catch (ErrnoException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    void start(Slot slot) throws IOException {
        while (!uring.prepareRead(device.fd().raw(), slot.buffer.asSlice(slot.done),
                slot.read.offset() + slot.done, slot.index)) {
            uring.submitAndWait(0); // every entry queued and unsubmitted: hand them over first
        }
    }

    /**
     * Submits in batches: one io_uring_enter per eighth of the depth, or at once when the
     * kernel's own queue runs low, so the device never idles and syscalls stay few.
     */
    @Override
    void submit() throws IOException {
        int queued = uring.unsubmitted();
        if (queued > 0 && (queued >= Math.max(1, depth / 8) || uring.inKernel() < depth / 2 + 1)) {
            uring.submitAndWait(0);
        }
    }

    /** Takes what completed already without a syscall; enters the kernel to wait only when nothing did. */
    @Override
    void awaitCompletions(Slot[] slots) throws IOException {
        current = slots;
        if (uring.reap(this::completed) == 0) {
            uring.submitAndWait(1);
            uring.reap(this::completed);
        }
    }

    private void completed(long userData, int result) {
        int res = Faults.ENABLED ? Faults.completion(Faults.Call.PREAD, device.fd().name(), result) : result;
        finished(current[(int) userData], res, null);
    }

    /** The kernel writes the buffers; only this thread reads them. */
    @Override
    Arena bufferArena() {
        return Arena.ofConfined();
    }

    @Override
    public void close() throws IOException {
        try {
            uring.close();
        } finally {
            device.close();
        }
    }
}
