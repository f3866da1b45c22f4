package org.lvmsync.stream;

/**
 * One change a stream carries, whatever the format: decoders return them, encoders and
 * sinks take them. A closed set, so every place that handles records is told by the
 * compiler when a new kind (zero, discard, end) arrives.
 *
 * <p>Already validated on construction: {@code length > 0}, {@code offset >= 0}, and
 * {@code offset + length} does not overflow a signed 64-bit value.
 */
public sealed interface Record permits Record.Data {
    /** Byte offset on the device. */
    long offset();

    /** Bytes of the device the record covers. */
    long length();

    default long end() {
        return offset() + length();
    }

    /** {@code length} bytes of new data for {@code [offset, offset + length)}; the payload follows it. */
    record Data(long offset, long length) implements Record {
        public Data {
            check(offset, length);
        }
    }

    private static void check(long offset, long length) {
        if (length <= 0 || offset < 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("invalid record: offset " + offset + ", length " + length);
        }
    }
}
