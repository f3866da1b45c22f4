package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import org.lvmsync.os.ZstdCompressor;

/**
 * Writes {@link ExtendedFormat} streams: the handshake, the caller's {@link Record.Header},
 * its extents, and at {@link #finish()} the end record with the counts and the digest.
 *
 * <p>Data records are checked for all-zero chunks (the stream header's chunk size, aligned
 * to device offsets): those become zero records, merged with neighbouring zero extents.
 * With compression, each remaining piece is stored as a zstd frame when that pays, either
 * right here or on worker threads ({@link ParallelCompressor}); records leave in the order
 * they were given either way, numbered and digested as they are written.
 *
 * <p>Callers give extents sorted and disjoint, inside the device size of the header; a
 * call that breaks the format is refused with an IllegalArgumentException before anything
 * of it is written.
 */
final class ExtendedEncoder implements StreamEncoder {
    static final int BUFFER_SIZE = 256 * 1024;
    /** Zero detection never looks at pieces smaller than this (a page), whatever the chunk size. */
    static final long MIN_ZERO_GRANULE = 4096;
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[ExtendedFormat.MAX_DATA]);

    private final ExtendedFormat format;
    private final ExtendedFormat.Options options;
    private final StreamOutput out;
    private final MessageDigest digest = sha256();
    private final byte[] header = new byte[RecordHeader.BYTES];

    private final Arena arena = Arena.ofConfined();
    private ZstdCompressor compressor;           // compression in this thread
    private MemorySegment staging;               // native copy of a heap or read-only payload, for zstd
    private MemorySegment scratch;               // room for one frame
    private ParallelCompressor parallel;         // compression on workers
    /** Records given but not written yet: only while workers compress (data slots, extents behind them). */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();

    private StreamIdentity identity;
    private long granule;
    private long lastEnd;
    private long zeroStart;
    private long zeroLength;       // a zero extent held back to merge with the next one
    private long records;
    private long dataBytes;
    private long zeroBytes;
    private long discardBytes;
    private boolean finished;

    /** An extent record waiting behind queued data. */
    private record Extent(int type, long offset, long length) {
    }

    ExtendedEncoder(ExtendedFormat format, WritableByteChannel channel, ExtendedFormat.Options options) {
        this.format = format;
        this.options = options;
        this.out = new StreamOutput(channel, BUFFER_SIZE);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }

    @Override
    public void writeHandshake() throws IOException {
        if (out.position() != 0) {
            throw new IllegalStateException("the handshake must be the first thing in a stream");
        }
        byte[] line = (format.handshake() + "\n").getBytes(StandardCharsets.US_ASCII);
        out.put(line);
        digest.update(line);
    }

    @Override
    public void write(Record record, MemorySegment payload) throws IOException {
        out.checkUsable();
        if (finished) {
            throw new IllegalStateException("the stream is finished");
        }
        try {
            switch (record) {
                case Record.Header h -> writeIdentity(h.identity());
                case Record.Data d -> writeData(d, payload);
                case Record.Zero z -> {
                    admit(z);
                    addZero(z.offset(), z.length());
                }
                case Record.Discard d -> {
                    admit(d);
                    flushZero();
                    extent(RecordHeader.DISCARD, d.offset(), d.length());
                }
                case Record.End e -> throw new IllegalArgumentException(
                        "the end record is made by finish(), from what was written");
            }
        } catch (IOException e) {
            out.fail(e);
            throw e;
        }
    }

    private void writeIdentity(StreamIdentity id) throws IOException {
        if (identity != null || records > 0) {
            throw new IllegalStateException("a stream has one header record, written first");
        }
        if (out.position() == 0) {
            throw new IllegalStateException("write the handshake first");
        }
        byte[] payload = IdentityCodec.encode(id);
        if (payload.length > ExtendedFormat.MAX_IDENTITY) {
            throw new IllegalArgumentException("stream identity of " + payload.length + " bytes exceeds "
                    + ExtendedFormat.MAX_IDENTITY);
        }
        identity = id;
        granule = Math.clamp(id.chunkSize(), MIN_ZERO_GRANULE, ExtendedFormat.MAX_DATA);
        MemorySegment p = MemorySegment.ofArray(payload);
        emit(RecordHeader.HEADER, 0, 0, 0, p, Packed.crc(p));
        if (options.compress()) {
            startCompression();
        }
    }

    private void startCompression() throws IOException {
        if (options.workers() > 0) {
            parallel = new ParallelCompressor(options.level(), options.workers());
        } else {
            compressor = ZstdCompressor.open(options.level(), 0);
            staging = arena.allocate(ExtendedFormat.MAX_DATA);
            scratch = arena.allocate(ExtendedFormat.MAX_DATA);
        }
    }

    /** Checks an extent against the header and the previous extent. */
    private void admit(Record.Extent e) {
        if (identity == null) {
            throw new IllegalStateException("an extended stream begins with its header record: write a"
                    + " Record.Header before " + e);
        }
        if (e.offset() < lastEnd) {
            throw new IllegalArgumentException(e + " starts before the end " + lastEnd
                    + " of the previous record: records must be sorted and disjoint");
        }
        if (e.end() > identity.deviceSize()) {
            throw new IllegalArgumentException(e + " ends past the device size " + identity.deviceSize());
        }
        lastEnd = e.end();
    }

    private void writeData(Record.Data d, MemorySegment payload) throws IOException {
        if (d.length() > ExtendedFormat.MAX_DATA || payload.byteSize() != d.length()) {
            throw new IllegalArgumentException("record of " + d.length() + " bytes with a payload of "
                    + payload.byteSize() + " bytes; data records carry 1.." + ExtendedFormat.MAX_DATA
                    + " bytes: split longer runs");
        }
        admit(d);
        if (!options.detectZeros()) {
            data(d.offset(), payload);
            return;
        }
        long pieceStart = -1;   // start of the non-zero bytes not written yet
        for (long at = 0; at < d.length(); ) {
            long blockEnd = Math.min(d.length(), nextBoundary(d.offset() + at) - d.offset());
            if (isZero(payload, at, blockEnd)) {
                if (pieceStart >= 0) {
                    data(d.offset() + pieceStart, payload.asSlice(pieceStart, at - pieceStart));
                    pieceStart = -1;
                }
                addZero(d.offset() + at, blockEnd - at);
            } else if (pieceStart < 0) {
                pieceStart = at;
            }
            at = blockEnd;
        }
        if (pieceStart >= 0) {
            data(d.offset() + pieceStart, payload.asSlice(pieceStart));
        }
    }

    private long nextBoundary(long offset) {
        return (offset / granule + 1) * granule;
    }

    private static boolean isZero(MemorySegment payload, long from, long to) {
        return MemorySegment.mismatch(payload, from, to, ZEROS, 0, to - from) < 0;
    }

    private void addZero(long offset, long length) throws IOException {
        if (zeroLength > 0 && zeroStart + zeroLength == offset) {
            zeroLength += length;
            return;
        }
        flushZero();
        zeroStart = offset;
        zeroLength = length;
    }

    private void flushZero() throws IOException {
        if (zeroLength > 0) {
            long length = zeroLength;
            zeroLength = 0;
            extent(RecordHeader.ZERO, zeroStart, length);
        }
    }

    /** A data piece (borrowed): written now, or copied and queued for a worker. */
    private void data(long offset, MemorySegment piece) throws IOException {
        flushZero();
        if (parallel != null) {
            while (!parallel.hasFreeSlot()) {
                writeHead();
            }
            queue.add(parallel.submit(offset, piece));
            writeReady();
        } else if (compressor != null) {
            MemorySegment plain = piece;
            if (!piece.isNative() || piece.isReadOnly()) {   // libzstd takes writable native memory
                plain = staging.asSlice(0, piece.byteSize());
                MemorySegment.copy(piece, 0, plain, 0, piece.byteSize());
            }
            writePacked(offset, piece.byteSize(), Packed.of(compressor, plain, scratch));
        } else {
            writePacked(offset, piece.byteSize(), Packed.plain(piece));
        }
    }

    private void extent(int type, long offset, long length) throws IOException {
        if (!queue.isEmpty()) {
            queue.add(new Extent(type, offset, length));
        } else {
            writeExtent(type, offset, length);
        }
    }

    private void writeExtent(int type, long offset, long length) throws IOException {
        emit(type, 0, offset, length, MemorySegment.NULL, 0);
        if (type == RecordHeader.ZERO) {
            zeroBytes += length;
        } else {
            discardBytes += length;
        }
    }

    private void writePacked(long offset, long length, Packed p) throws IOException {
        emit(RecordHeader.DATA, p.zstd() ? RecordHeader.FLAG_ZSTD : 0, offset, length, p.stored(), p.crc());
        dataBytes += length;
    }

    /** Writes queued records whose compression is done, in order, without waiting. */
    private void writeReady() throws IOException {
        while (!queue.isEmpty()
                && !(queue.peek() instanceof ParallelCompressor.Slot s && !s.packed.isDone())) {
            writeHead();
        }
    }

    /** Writes the oldest queued record, waiting for its compression. */
    private void writeHead() throws IOException {
        Object head = queue.poll();
        if (head instanceof ParallelCompressor.Slot s) {
            try {
                writePacked(s.offset, s.length, s.await());
            } finally {
                parallel.release(s);
            }
        } else if (head instanceof Extent e) {
            writeExtent(e.type(), e.offset(), e.length());
        }
    }

    private void emit(int type, int flags, long offset, long length, MemorySegment stored, int payloadCrc)
            throws IOException {
        RecordHeader.write(header, type, flags, stored.byteSize(), records + 1, offset, length, payloadCrc);
        out.put(header);
        if (stored.byteSize() > 0) {
            out.put(stored);
        }
        records++;
        if (type != RecordHeader.END) {
            digest.update(header);
        }
    }

    @Override
    public long maxRecordLength() {
        return ExtendedFormat.MAX_DATA;
    }

    /** Writes everything given so far (held-back zeros and queued records too) to the channel. */
    @Override
    public void flush() throws IOException {
        try {
            drain();
            out.flush();
        } catch (IOException e) {
            out.fail(e);
            throw e;
        }
    }

    private void drain() throws IOException {
        out.checkUsable();
        flushZero();
        while (!queue.isEmpty()) {
            writeHead();
        }
    }

    /** Writes the end record (counts and digest of everything before it) and flushes. */
    @Override
    public void finish() throws IOException {
        if (identity == null) {
            throw new IllegalStateException("an extended stream needs its header record before its end");
        }
        if (finished) {
            throw new IllegalStateException("the stream is finished already");
        }
        try {
            drain();
            ByteBuffer end = ByteBuffer.allocate(ExtendedFormat.END_PAYLOAD);
            end.putLong(records).putLong(out.position()).putLong(dataBytes).putLong(zeroBytes).putLong(discardBytes);
            end.put(digest.digest());
            MemorySegment p = MemorySegment.ofArray(end.array());
            emit(RecordHeader.END, 0, 0, 0, p, Packed.crc(p));
            finished = true;
            out.flush();
        } catch (IOException e) {
            out.fail(e);
            throw e;
        }
    }

    @Override
    public long position() {
        return out.position();
    }

    /** Stops compression workers and releases every buffer (the channel is the caller's). */
    @Override
    public void close() {
        try {
            if (parallel != null) {
                parallel.close();
                parallel = null;
            }
            if (compressor != null) {
                compressor.close();
                compressor = null;
            }
        } finally {
            if (arena.scope().isAlive()) {
                arena.close();
            }
            out.close();
        }
    }
}
