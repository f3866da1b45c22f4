package org.lvmsync.stream;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Recognises a change stream by its handshake line and opens the matching decoder.
 *
 * <p>A stream without a handshake is refused. The only headerless files in the wild are
 * snapback files of release 1.0.0 (PROTO[2]), whose receiver read the old bytes from
 * {@code offset * length} instead of {@code offset}: their records do not hold the bytes
 * at the offset they name, so replaying one would write wrong data to the device.
 */
public final class StreamFormats {
    /** Formats understood, newest first. */
    public static final List<StreamFormat> KNOWN =
            List.of(ExtendedFormat.V1, ClassicFormat.PROTO3, ClassicFormat.PROTO2);

    /** What this version writes (the extended format becomes the default with its receiver's semantics). */
    public static final StreamFormat DEFAULT = ClassicFormat.PROTO3;

    /** No handshake is longer; reading stops here if no newline came. */
    static final int MAX_HANDSHAKE = 64;

    private StreamFormats() {
    }

    /** Reads the handshake from {@code channel} and returns a decoder for the records after it. */
    public static StreamDecoder open(ReadableByteChannel channel, String source) throws IOException {
        StreamInput in = new StreamInput(channel);
        try {
            return open(in, source);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** As above on an input of the caller's; the decoder takes it over and closes it. */
    public static StreamDecoder open(StreamInput in, String source) throws IOException {
        byte[] line = new byte[MAX_HANDSHAKE];
        int length = 0;
        int b;
        while ((b = in.read()) >= 0 && b != '\n' && length < MAX_HANDSHAKE) {
            line[length++] = (byte) b;
        }
        if (b < 0 && length == 0) {
            throw new CorruptStreamException(source, 0, -1, "the stream is empty; expected "
                    + understood());
        }
        if (b < 0 && isPrefixOfKnown(line, length)) {
            throw new CorruptStreamException(source, 0, -1, "the stream ends inside its handshake line, after "
                    + quote(line, length) + ": it is cut short");
        }
        if (b == '\n') {
            String handshake = new String(line, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
            for (StreamFormat format : KNOWN) {
                if (format.handshake().equals(handshake)) {
                    return format.decoder(in, source);
                }
            }
        }
        throw new CorruptStreamException(source, 0, -1, "unknown handshake " + quote(line, length)
                + "; this lvmsync understands " + understood()
                + " (headerless PROTO[2] snapback files of lvmsync 1.0.0 cannot be applied safely)");
    }

    private static boolean isPrefixOfKnown(byte[] line, int length) {
        String start = new String(line, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        return KNOWN.stream().anyMatch(f -> f.handshake().startsWith(start));
    }

    private static String understood() {
        return KNOWN.stream().map(f -> "\"" + f.handshake() + "\"").collect(Collectors.joining(", "));
    }

    /** The first bytes as text, non-printable ones as \xNN, so binary junk shows as such. */
    static String quote(byte[] bytes, int length) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < Math.min(length, 32); i++) {
            int c = bytes[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append(length > 32 ? "...\"" : "\"").toString();
    }
}
