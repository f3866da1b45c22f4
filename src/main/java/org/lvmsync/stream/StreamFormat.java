package org.lvmsync.stream;

import java.nio.channels.WritableByteChannel;

/**
 * One change-stream format, identified by the handshake line that opens the stream.
 * {@link StreamFormats} reads that line and picks the format; the format then builds a
 * decoder for the rest of the stream, or an encoder that writes it.
 */
public interface StreamFormat {
    /** The handshake line without its newline, e.g. {@code lvmsync PROTO[3]}. */
    String handshake();

    /** An encoder writing this format to {@code out}; it writes nothing until asked. */
    StreamEncoder encoder(WritableByteChannel out);

    /**
     * A decoder for the records that follow the handshake.
     *
     * @param in     positioned just after the handshake line
     * @param source name of the stream for messages ("stdin", a path)
     */
    StreamDecoder decoder(StreamInput in, String source);
}
