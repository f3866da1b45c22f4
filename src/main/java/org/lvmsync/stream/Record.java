package org.lvmsync.stream;

import java.util.Objects;

/**
 * One record a stream carries, whatever the format: decoders return them, encoders and
 * sinks take them. A closed set, so every place that handles records is told by the
 * compiler when a new kind arrives.
 *
 * <p>What each format can carry: the classic formats (PROTO[2]/[3]) only {@link Data}: their
 * encoders write {@link Zero} and {@link Discard} as data records of zeros and drop the
 * {@link Header}. The extended format carries all of them. A {@link Header} comes first
 * and once; an {@link End} is made by the encoder's {@code finish()} (never passed to
 * {@code write}) and returned by the decoder only once its counts and digest are checked.
 *
 * <p>Extents are validated on construction: {@code length > 0}, {@code offset >= 0}, and
 * {@code offset + length} does not overflow a signed 64-bit value.
 */
public sealed interface Record permits Record.Extent, Record.Header, Record.End {

    /** A record about a range of the device. */
    sealed interface Extent extends Record permits Data, Zero, Discard {
        /** Byte offset on the device. */
        long offset();

        /** Bytes of the device the record covers. */
        long length();

        default long end() {
            return offset() + length();
        }
    }

    /** {@code length} bytes of new data for {@code [offset, offset + length)}; the payload follows it. */
    record Data(long offset, long length) implements Extent {
        public Data {
            check(offset, length);
        }
    }

    /** {@code [offset, offset + length)} reads back as zeros. No payload. */
    record Zero(long offset, long length) implements Extent {
        public Zero {
            check(offset, length);
        }
    }

    /**
     * {@code [offset, offset + length)} is unallocated on the source (a discarded thin
     * block): the destination may deallocate it, and must read back zeros there. No payload.
     */
    record Discard(long offset, long length) implements Extent {
        public Discard {
            check(offset, length);
        }
    }

    /** Where the stream comes from and what it leads from: the first record of an extended stream. */
    record Header(StreamIdentity identity) implements Record {
        public Header {
            Objects.requireNonNull(identity, "identity");
        }
    }

    /**
     * The last record of an extended stream: what came before it. A decoder returns it only
     * after checking every figure against the stream it read.
     *
     * @param records      records before this one, the header included
     * @param streamBytes  stream bytes before this record, the handshake included
     * @param dataBytes    device bytes of data records (uncompressed)
     * @param zeroBytes    device bytes of zero records
     * @param discardBytes device bytes of discard records
     * @param digest       SHA-256 of the handshake and every record header before this one
     */
    record End(long records, long streamBytes, long dataBytes, long zeroBytes, long discardBytes,
               StreamDigest digest) implements Record {
        public End {
            if (records < 0 || streamBytes < 0 || dataBytes < 0 || zeroBytes < 0 || discardBytes < 0) {
                throw new IllegalArgumentException("negative count in end record");
            }
            Objects.requireNonNull(digest, "digest");
        }
    }

    private static void check(long offset, long length) {
        if (length <= 0 || offset < 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("invalid record: offset " + offset + ", length " + length);
        }
    }
}
