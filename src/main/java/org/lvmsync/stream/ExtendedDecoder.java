package org.lvmsync.stream;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.lvmsync.os.ZstdDecompressor;
import org.lvmsync.os.ZstdException;

/**
 * Reads {@link ExtendedFormat} streams strictly: a record is returned only once its header
 * checksum, every header field, its whole payload's checksum and (for compressed data) its
 * decompression have been checked, so nothing of a damaged record reaches the caller. A
 * data record holds at most {@link ExtendedFormat#MAX_DATA} bytes, read whole into a fixed
 * buffer owned here; declared lengths are checked against that bound before anything is
 * read and never allocated.
 *
 * <p>The clean end is an end record whose counts and digest match what was read, followed
 * by nothing; a stream that simply stops is reported as cut short.
 */
final class ExtendedDecoder implements StreamDecoder {
    private final ExtendedFormat format;
    private final StreamInput in;
    private final String source;
    /** Small until a payload needs more: a stream of small records (or a refused one) never touches a MiB. */
    static final int FIRST_BUFFER = 64 * 1024;

    private final Arena arena = Arena.ofConfined();
    private MemorySegment stored = arena.allocate(FIRST_BUFFER);
    private MemorySegment plain;                // for decompressed payloads, once one comes
    private final byte[] headerBytes = new byte[RecordHeader.BYTES];
    private final MessageDigest digest;
    private ZstdDecompressor zstd;

    private long nextNumber = 1;
    private StreamIdentity identity;
    private long lastEnd;
    private long dataBytes;
    private long zeroBytes;
    private long discardBytes;
    private boolean ended;
    private boolean done;

    private long currentIndex = -1;
    private long currentAt;
    private MemorySegment payload = MemorySegment.NULL;
    private long payloadRead;

    ExtendedDecoder(ExtendedFormat format, StreamInput in, String source) {
        this.format = format;
        this.in = in;
        this.source = source;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
        digest.update((format.handshake() + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public StreamFormat format() {
        return format;
    }

    /** The stream's identity, once its header record has been read; null before. */
    StreamIdentity identity() {
        return identity;
    }

    @Override
    public Record next() throws IOException {
        payload = MemorySegment.NULL;
        payloadRead = 0;
        if (done) {
            return null;
        }
        long at = in.position();
        long index = nextNumber - 1;
        if (ended) {
            done = true;
            if (in.read() >= 0) {
                throw corrupt(at, index, "bytes follow the end record; the stream must end there");
            }
            return null;
        }
        int got = in.readFully(headerBytes, headerBytes.length);
        if (got < headerBytes.length) {
            throw corrupt(at, index, got == 0
                    ? "the stream ends here without its end record: it is cut short after " + index + " records"
                    : "record header cut short: the stream ends after " + got + " of " + RecordHeader.BYTES
                            + " header bytes (without its end record)");
        }
        RecordHeader h = RecordHeader.read(headerBytes);
        int check = RecordHeader.check(headerBytes);
        if (check != h.headerCrc()) {
            throw corrupt(at, index, String.format("header checksum mismatch (stored %08x, computed %08x):"
                    + " the record header is damaged", h.headerCrc(), check));
        }
        String problem = RecordRules.problem(h, nextNumber, identity, lastEnd);
        if (problem != null) {
            throw corrupt(at, index, problem);
        }
        readStored(h, at, index);
        Record r = switch (h.type()) {
            case RecordHeader.HEADER -> header(h, at, index);
            case RecordHeader.DATA -> data(h, at, index);
            case RecordHeader.ZERO -> {
                zeroBytes += h.length();
                yield new Record.Zero(h.offset(), h.length());
            }
            case RecordHeader.DISCARD -> {
                discardBytes += h.length();
                yield new Record.Discard(h.offset(), h.length());
            }
            case RecordHeader.END -> end(at, index);
            default -> throw new AssertionError("type checked by RecordRules: " + h.type());
        };
        if (r instanceof Record.Extent e) {
            lastEnd = e.end();
        }
        if (!ended) {
            digest.update(headerBytes);
        }
        nextNumber++;
        currentIndex = index;
        currentAt = at;
        return r;
    }

    /** Reads the whole stored payload into the buffer and checks its CRC32C. */
    private void readStored(RecordHeader h, long at, long index) throws IOException {
        long n = h.stored();
        if (n > stored.byteSize()) {
            stored = arena.allocate(ExtendedFormat.MAX_DATA);   // n is checked against this bound already
        }
        MemorySegment dst = stored.asSlice(0, n);
        long done = 0;
        while (done < n) {
            long got = in.read(dst.asSlice(done));
            if (got < 0) {
                throw corrupt(at, index, "payload cut short: the stream ends at byte " + in.position() + " after "
                        + done + " of " + n + " payload bytes");
            }
            done += got;
        }
        int crc = Packed.crc(dst);
        if (crc != h.payloadCrc()) {
            throw corrupt(at, index, String.format("payload checksum mismatch (stored %08x, computed %08x):"
                    + " the %s record's payload is damaged", h.payloadCrc(), crc, RecordHeader.typeName(h.type())));
        }
    }

    private Record header(RecordHeader h, long at, long index) throws CorruptStreamException {
        try {
            identity = IdentityCodec.decode(stored.asSlice(0, h.stored()).asByteBuffer());
        } catch (IdentityCodec.Malformed e) {
            throw corrupt(at, index, "stream header: " + e.getMessage());
        }
        return new Record.Header(identity);
    }

    private Record data(RecordHeader h, long at, long index) throws IOException {
        if ((h.flags() & RecordHeader.FLAG_ZSTD) != 0) {
            if (plain == null) {
                plain = arena.allocate(ExtendedFormat.MAX_DATA);
            }
            payload = plain.asSlice(0, h.length());
            inflate(stored.asSlice(0, h.stored()), payload, at, index);
        } else {
            payload = stored.asSlice(0, h.length());
        }
        dataBytes += h.length();
        return new Record.Data(h.offset(), h.length());
    }

    /**
     * Decompresses one frame into exactly {@code dst}: its header must declare that size,
     * it must be the whole payload, and it may not expand beyond it (a zstd bomb).
     */
    private void inflate(MemorySegment src, MemorySegment dst, long at, long index) throws IOException {
        long declared = ZstdDecompressor.frameContentSize(src);
        if (declared == -2) {
            throw corrupt(at, index, "compressed payload is not a zstd frame");
        }
        if (declared == -1) {
            throw corrupt(at, index, "compressed payload does not declare its size");
        }
        if (declared != dst.byteSize()) {
            throw corrupt(at, index, "compressed payload claims " + Long.toUnsignedString(declared)
                    + " bytes for a record of " + dst.byteSize() + " (a frame may expand only to its record)");
        }
        try {
            long frame = ZstdDecompressor.frameCompressedSize(src);
            if (frame != src.byteSize()) {
                throw corrupt(at, index, "compressed payload has " + (src.byteSize() - frame)
                        + " bytes after its zstd frame");
            }
            long n = decompressor().decompress(dst, src);
            if (n != dst.byteSize()) {
                throw corrupt(at, index, "compressed payload expands to " + n + " bytes, the record says "
                        + dst.byteSize());
            }
        } catch (ZstdException e) {
            throw corrupt(at, index, "compressed payload refused: " + e.getMessage());
        }
    }

    private ZstdDecompressor decompressor() throws ZstdException {
        if (zstd == null) {
            zstd = ZstdDecompressor.open(ExtendedFormat.WINDOW_LOG_MAX);
        }
        return zstd;
    }

    /** Compares the end record with what was read; every figure must match. */
    private Record end(long at, long index) throws CorruptStreamException {
        ByteBuffer b = stored.asSlice(0, ExtendedFormat.END_PAYLOAD).asByteBuffer();
        long records = b.getLong();
        long streamBytes = b.getLong();
        long data = b.getLong();
        long zero = b.getLong();
        long discard = b.getLong();
        byte[] claimed = new byte[StreamDigest.BYTES];
        b.get(claimed);
        mismatch(at, index, "records", records, nextNumber - 1);
        mismatch(at, index, "stream bytes", streamBytes, at);
        mismatch(at, index, "data bytes", data, dataBytes);
        mismatch(at, index, "zero bytes", zero, zeroBytes);
        mismatch(at, index, "discard bytes", discard, discardBytes);
        byte[] actual = digest.digest();
        if (!MessageDigest.isEqual(claimed, actual)) {
            throw corrupt(at, index, "stream digest mismatch (end record " + HexFormat.of().formatHex(claimed)
                    + ", stream " + HexFormat.of().formatHex(actual) + ")");
        }
        ended = true;
        return new Record.End(records, streamBytes, data, zero, discard, new StreamDigest(actual));
    }

    private void mismatch(long at, long index, String what, long claimed, long actual) throws CorruptStreamException {
        if (claimed != actual) {
            throw corrupt(at, index, "the end record counts " + Long.toUnsignedString(claimed) + " " + what
                    + ", the stream has " + actual + " (records are missing, added or changed)");
        }
    }

    @Override
    public long recordIndex() {
        return currentIndex;
    }

    @Override
    public long recordStreamOffset() {
        return currentAt;
    }

    @Override
    public long readPayload(MemorySegment dst) {
        long n = Math.min(dst.byteSize(), payloadRemaining());
        MemorySegment.copy(payload, payloadRead, dst, 0, n);
        payloadRead += n;
        return n;
    }

    @Override
    public long payloadRemaining() {
        return payload.byteSize() - payloadRead;
    }

    @Override
    public long position() {
        return in.position();
    }

    /** Releases the buffers and the zstd context (the channel belongs to the caller). */
    @Override
    public void close() {
        try {
            if (zstd != null) {
                zstd.close();
                zstd = null;
            }
        } finally {
            if (arena.scope().isAlive()) {
                arena.close();
            }
            in.close();
        }
    }

    private CorruptStreamException corrupt(long at, long index, String detail) {
        return new CorruptStreamException(source, at, index, detail);
    }
}
