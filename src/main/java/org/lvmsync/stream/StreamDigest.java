package org.lvmsync.stream;

import java.util.Arrays;
import java.util.HexFormat;

/** A SHA-256 value (32 bytes) as carried by an end record; immutable, shown in hex. */
public final class StreamDigest {
    public static final int BYTES = 32;

    private final byte[] bytes;

    public StreamDigest(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a stream digest has " + BYTES + " bytes, not " + bytes.length);
        }
        this.bytes = bytes.clone();
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamDigest d && Arrays.equals(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
