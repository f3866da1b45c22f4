package org.lvmsync.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Iterator;

/**
 * How a device is read: one read at a time, or a batch of reads that may be in flight
 * together. Everything that reads a device (the sender, the COW walk, the thin walk)
 * reads through this seam, so an engine that keeps many reads in flight (threads,
 * io_uring) serves all of them at once.
 *
 * <p>Offsets and lengths given to an engine are multiples of {@link #ALIGNMENT} and the
 * buffers it is handed are aligned, so an O_DIRECT engine passes them straight to the
 * kernel. Reads past the end of the device return fewer bytes (0 past it), never fail.
 *
 * <p>One owner, one thread calls it; {@link #close()} releases the device.
 */
public interface IoEngine extends AutoCloseable {
    /** Offsets, lengths and buffers of every read are multiples of this. */
    long ALIGNMENT = org.lvmsync.os.AlignedBuffer.ALIGNMENT;

    /** The device's name, for messages. */
    String name();

    /** The device's size in bytes, as last looked at. */
    long size();

    /**
     * Looks at the device's size again (LVM's autoextend can grow a COW while a first
     * pass reads it); true if it grew, and reads reach the new end from then on.
     */
    boolean grow() throws IOException;

    /** False when the device refused O_DIRECT and reads go through its page cache. */
    boolean isDirect();

    /**
     * True when the kernel says the device seeks (a block device whose queue is
     * {@code rotational}, as a disk or a virtual disk that does not say otherwise is);
     * false for files and for devices that say they do not.
     */
    default boolean rotational() throws IOException {
        return false;
    }

    /** Reads this engine keeps in flight at most ({@code 1}: one at a time). */
    int queueDepth();

    /**
     * Fills {@code dst} from {@code offset} as far as the device reaches; returns the bytes
     * read, fewer than asked only where the device ends.
     */
    long read(MemorySegment dst, long offset) throws IOException;

    /**
     * Reads every request of {@code reads} (pulled lazily, so a plan may be endless) and
     * hands each result to {@code handler} in the order of the requests. Up to
     * {@link #queueDepth()} requests may be read ahead of the one being handled, into
     * buffers of the engine's own of at most {@code maxLength} bytes each.
     *
     * <p>The segment passed to the handler is borrowed: valid until the handler returns,
     * then reused for a later read. It holds the bytes read, fewer than the request's
     * length only where the device ends. When the handler returns false, or throws, no
     * further results are handed out and reads still in flight are waited for and dropped.
     */
    void readMany(Iterator<Read> reads, long maxLength, ReadHandler handler) throws IOException;

    @Override
    void close() throws IOException;

    /** One read of a plan: {@code length} bytes from {@code offset}, both aligned. */
    record Read(long offset, long length) {
        public Read {
            if (offset < 0 || length <= 0 || offset % ALIGNMENT != 0 || length % ALIGNMENT != 0) {
                throw new IllegalArgumentException("unaligned or empty read of " + length + " bytes at " + offset);
            }
        }

        public long end() {
            return offset + length;
        }
    }

    /** Receives the results of {@link #readMany}, in order. */
    @FunctionalInterface
    interface ReadHandler {
        /**
         * @param read what was asked for
         * @param data the bytes read (borrowed until return)
         * @return true to go on with the next read, false to stop
         */
        boolean completed(Read read, MemorySegment data) throws IOException;
    }
}
