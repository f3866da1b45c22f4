package org.lvmsync.stream;

import java.nio.channels.WritableByteChannel;

/**
 * The stream format of the original lvmsync, which is also its snapback file format.
 *
 * <p>Layout: the ASCII handshake line {@code "lvmsync PROTO[3]\n"} (release 3.x) or
 * {@code "lvmsync PROTO[2]\n"} (release 1.0.0), then records until the end of the stream.
 * Each record is a 12-byte header, a big-endian u64 byte offset on the device and a
 * big-endian u32 payload length, followed by that many bytes of data. There is no count,
 * no end marker and no checksum: a stream cut exactly between two records looks complete.
 * Both versions share the record layout; 1.0.0's receiver misplaced the data, its sender
 * did not, so PROTO[2] streams decode the same way.
 *
 * <p>The wire allows lengths up to 4 GiB; this implementation refuses records longer than
 * {@link #MAX_RECORD_LENGTH} (the original sends one snapshot chunk per record, 4 KiB to
 * 512 KiB) so that a corrupted header is caught instead of read as a gigabyte of data.
 */
public enum ClassicFormat implements StreamFormat {
    PROTO3("lvmsync PROTO[3]"),
    PROTO2("lvmsync PROTO[2]");

    /** Bytes in a record header: u64 offset + u32 length. */
    public static final int HEADER_BYTES = 12;

    /** Largest record accepted or written: 64 MiB. */
    public static final long MAX_RECORD_LENGTH = 64L << 20;

    private final String handshake;

    ClassicFormat(String handshake) {
        this.handshake = handshake;
    }

    @Override
    public String handshake() {
        return handshake;
    }

    @Override
    public StreamEncoder encoder(WritableByteChannel out) {
        return new ClassicEncoder(this, out);
    }

    @Override
    public StreamDecoder decoder(StreamInput in, String source) {
        return new ClassicDecoder(this, in, source);
    }
}
