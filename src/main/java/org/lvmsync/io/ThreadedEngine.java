package org.lvmsync.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Keeps up to {@code depth} reads in flight with a pool of as many reader threads, each
 * doing a plain pread(2) into its slot's buffer; results come back through a queue and
 * are handed over in plan order by the caller's thread. For kernels without a usable
 * io_uring (older than 5.6, or disabled by sysctl or a seccomp filter). Platform threads:
 * a foreign call pins a virtual thread to its carrier, so virtual threads would not run
 * more reads at once than there are cores.
 */
public final class ThreadedEngine extends QueuedEngine {
    private record Done(Slot slot, long bytes, IOException error) {
    }

    private final ExecutorService readers;
    private final LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();

    private ThreadedEngine(DeviceFile device, int depth) {
        super(device, depth);
        this.readers = Executors.newFixedThreadPool(depth, Thread.ofPlatform().daemon().name("lvmsync-reader-", 0).factory());
    }

    public static ThreadedEngine open(Path path, int depth) throws IOException {
        return open(path, depth, true);
    }

    /** {@code tryDirect} false forces buffered reads (for tests). */
    public static ThreadedEngine open(Path path, int depth, boolean tryDirect) throws IOException {
        return new ThreadedEngine(DeviceFile.open(path, tryDirect), depth);
    }

    @Override
    void start(Slot slot) {
        long from = slot.done;
        readers.execute(() -> {
            try {
                done.add(new Done(slot, device.readAt(slot.buffer.asSlice(from), slot.read.offset() + from), null));
            } catch (IOException e) {
                done.add(new Done(slot, 0, e));
            } catch (RuntimeException e) {
                done.add(new Done(slot, 0, new IOException(device.name() + ": read failed: " + e, e)));
            }
        });
    }

    @Override
    void submit() {
        // each read starts the moment it is handed to a reader
    }

    @Override
    void awaitCompletions(Slot[] slots) throws IOException {
        List<Done> batch = new ArrayList<>();
        try {
            batch.add(done.take());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + device.name());
        }
        done.drainTo(batch);
        for (Done d : batch) {
            ended(d.slot(), d.bytes(), d.error()); // readAt already went on over short reads
        }
    }

    /** Reader threads fill the buffers, so they must be reachable from every thread. */
    @Override
    Arena bufferArena() {
        return Arena.ofShared();
    }

    @Override
    public void close() throws IOException {
        readers.shutdownNow();
        device.close();
    }
}
