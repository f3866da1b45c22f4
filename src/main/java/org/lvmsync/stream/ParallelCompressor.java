package org.lvmsync.stream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.lvmsync.os.ZstdCompressor;
import org.lvmsync.os.ZstdException;

/**
 * Compresses data records on worker threads, several at once, for an encoder that writes
 * them back in order. Each record is copied into a slot (the caller's payload is only
 * borrowed); there are twice as many slots as workers, so the next records are queued
 * while the earlier ones are written. Slots live in a shared arena because workers fill
 * them; the owner closes it once every worker has stopped. One zstd context per worker.
 */
final class ParallelCompressor implements AutoCloseable {
    /** One record on its way: filled by the owner, packed by a worker, read back by the owner. */
    static final class Slot {
        final MemorySegment plain;
        final MemorySegment scratch;
        long offset;
        long length;
        Future<Packed> packed;

        Slot(MemorySegment plain, MemorySegment scratch) {
            this.plain = plain;
            this.scratch = scratch;
        }

        /** The packed payload (valid until the slot is released). */
        Packed await() throws IOException {
            try {
                return packed.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while compressing");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw c instanceof IOException io ? io : new IOException("compression failed: " + c, c);
            }
        }
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Arena arena = Arena.ofShared();
    private final BlockingQueue<ZstdCompressor> contexts;
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private final ExecutorService pool;

    ParallelCompressor(int level, int workers) throws ZstdException {
        contexts = new ArrayBlockingQueue<>(workers);
        try {
            for (int i = 0; i < workers; i++) {
                contexts.add(ZstdCompressor.open(level, 0));
            }
        } catch (ZstdException | RuntimeException e) {
            contexts.forEach(ZstdCompressor::close);
            arena.close();
            throw e;
        }
        for (int i = 0; i < 2 * workers; i++) {
            free.add(new Slot(arena.allocate(ExtendedFormat.MAX_DATA), arena.allocate(ExtendedFormat.MAX_DATA)));
        }
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "lvmsync-zstd-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    boolean hasFreeSlot() {
        return !free.isEmpty();
    }

    /** Copies {@code data} into a free slot (one must exist) and starts packing it. */
    Slot submit(long offset, MemorySegment data) {
        Slot s = free.pop();
        s.offset = offset;
        s.length = data.byteSize();
        MemorySegment.copy(data, 0, s.plain, 0, s.length);
        s.packed = pool.submit(() -> pack(s));
        return s;
    }

    private Packed pack(Slot s) throws ZstdException, InterruptedException {
        ZstdCompressor c = contexts.take();
        try {
            return Packed.of(c, s.plain.asSlice(0, s.length), s.scratch);
        } finally {
            contexts.put(c);
        }
    }

    /** Gives a written slot back. */
    void release(Slot s) {
        s.packed = null;
        free.push(s);
    }

    /** Stops the workers (waiting for the records they are on), then frees contexts and slots. */
    @Override
    public void close() {
        pool.shutdownNow();
        boolean stopped = false;
        boolean interrupted = false;
        while (!stopped) {
            try {
                stopped = pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                interrupted = true;   // a worker inside libzstd cannot be stopped; its memory must outlive it
            }
        }
        contexts.forEach(ZstdCompressor::close);
        arena.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
