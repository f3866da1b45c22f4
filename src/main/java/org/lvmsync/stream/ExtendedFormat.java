package org.lvmsync.stream;

import java.nio.channels.WritableByteChannel;

/**
 * The extended stream format of this lvmsync: typed records, each checked by CRC32C
 * before anything of it is handed out, and an end record that proves the stream whole.
 * docs/stream-format.md describes it byte for byte; in short:
 *
 * <p>The ASCII handshake line {@code "lvmsync XPROTO[1]\n"} (an original lvmsync receiver
 * compares its first line with {@code lvmsync PROTO[3]} and stops with its handshake
 * error). Then records, each a 40-byte big-endian header (see {@link RecordHeader}) and
 * {@code stored} payload bytes:
 * <ol>
 *   <li>one {@code HEADER} record (number 1): a {@link StreamIdentity} (see {@link IdentityCodec});
 *   <li>{@code DATA} (payload: the bytes, or one zstd frame of them), {@code ZERO} and
 *       {@code DISCARD} records (no payload), sorted by offset and never overlapping, each
 *       inside the device size the identity names; a data record holds at most
 *       {@link #MAX_DATA} bytes, so its payload is checked whole before any of it is used;
 *   <li>one {@code END} record: record count, stream bytes, data/zero/discard bytes and a
 *       SHA-256 digest of the handshake and every record header before it (each header
 *       carries its payload's CRC32C, so every byte of the stream enters the digest).
 * </ol>
 * Nothing may follow the end record. Records are numbered from 1 in the stream, so the
 * numbers in messages are the numbers in the bytes.
 */
public enum ExtendedFormat implements StreamFormat {
    V1("lvmsync XPROTO[1]");

    /** Bytes in a record header. */
    public static final int HEADER_BYTES = RecordHeader.BYTES;
    /** Largest data record (uncompressed bytes), and so the largest payload read before it is checked. */
    public static final int MAX_DATA = 1 << 20;
    /** Largest stream-header payload. */
    public static final int MAX_IDENTITY = 4096;
    /** Payload of the end record: five u64 counts and the 32-byte digest. */
    public static final int END_PAYLOAD = 5 * 8 + StreamDigest.BYTES;
    /** zstd window accepted by the decoder: a frame of one record needs no more than the record. */
    static final int WINDOW_LOG_MAX = 20;

    private final String handshake;

    ExtendedFormat(String handshake) {
        this.handshake = handshake;
    }

    @Override
    public String handshake() {
        return handshake;
    }

    /** An encoder without compression, detecting zero chunks. */
    @Override
    public StreamEncoder encoder(WritableByteChannel out) {
        return encoder(out, Options.PLAIN);
    }

    public StreamEncoder encoder(WritableByteChannel out, Options options) {
        return new ExtendedEncoder(this, out, options);
    }

    @Override
    public StreamDecoder decoder(StreamInput in, String source) {
        return new ExtendedDecoder(this, in, source);
    }

    /**
     * How an encoder writes.
     *
     * @param level       zstd level for data records, 0 for none (negative: zstd's fast levels)
     * @param workers     threads compressing records side by side (0: in the caller's thread)
     * @param detectZeros whether all-zero chunks of data records become zero records
     */
    public record Options(int level, int workers, boolean detectZeros) {
        public static final Options PLAIN = new Options(0, 0, true);
        /** zstd's own default level. */
        public static final int DEFAULT_LEVEL = 3;
        public static final int MAX_LEVEL = 22;
        public static final int MIN_LEVEL = -7;
        public static final int MAX_WORKERS = 64;

        public Options {
            if (level < MIN_LEVEL || level > MAX_LEVEL) {
                throw new IllegalArgumentException("zstd level " + level + " is outside " + MIN_LEVEL + ".."
                        + MAX_LEVEL);
            }
            if (workers < 0 || workers > MAX_WORKERS || workers > 0 && level == 0) {
                throw new IllegalArgumentException("compression workers " + workers + " (0.." + MAX_WORKERS
                        + ", only with a level)");
            }
        }

        /** zstd at {@code level}, with {@code workers} threads. */
        public static Options zstd(int level, int workers) {
            if (level == 0) {
                throw new IllegalArgumentException("zstd level 0 is no compression; use PLAIN");
            }
            return new Options(level, workers, true);
        }

        public boolean compress() {
            return level != 0;
        }
    }
}
