package org.lvmsync.stream;

import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * How a sender writes its stream: the format, and for the extended format its options
 * (compression level and workers). The one value a sink needs to build its encoder.
 */
public record StreamWriting(StreamFormat format, ExtendedFormat.Options options) {
    /** What new streams use: the extended format, uncompressed, zero chunks as zero records. */
    public static final StreamWriting DEFAULT = new StreamWriting(StreamFormats.DEFAULT, ExtendedFormat.Options.PLAIN);

    public StreamWriting {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(options, "options");
        if (!(format instanceof ExtendedFormat) && options.compress()) {
            throw new IllegalArgumentException("compression needs the extended format, not " + format.handshake());
        }
    }

    /** A format's plain encoder settings. */
    public static StreamWriting of(StreamFormat format) {
        return new StreamWriting(format, ExtendedFormat.Options.PLAIN);
    }

    /** Whether the stream carries checksums, an identity and an end record. */
    public boolean extended() {
        return format instanceof ExtendedFormat;
    }

    public StreamEncoder encoder(WritableByteChannel out) {
        return format instanceof ExtendedFormat x ? x.encoder(out, options) : format.encoder(out);
    }
}
