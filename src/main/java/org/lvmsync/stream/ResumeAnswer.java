package org.lvmsync.stream;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The receiver's answer to "where may this stream resume?", one ASCII line on the channel
 * back from a remote receiver (its stdout), or handed over in process by a local one:
 *
 * <pre>
 *   RESUME 1 none                       nothing of this stream is here: send it all
 *   RESUME 1 &lt;stream id&gt; &lt;offset&gt;       every record of stream &lt;stream id&gt; below device
 *                                       byte &lt;offset&gt; is durable here: send from there
 * </pre>
 *
 * The offset is a multiple of the stream's chunk size. The answer is the receiver's
 * claim, nothing more: the sender checks it against the stream it is about to send (see
 * the job layer's resume plan) and sends everything when it does not fit.
 */
public record ResumeAnswer(Optional<UUID> stream, long offset) {
    static final String PREFIX = "RESUME 1 ";
    /** Longest line read as an answer; a longer one is garbage. */
    public static final int MAX_LINE = 128;
    private static final Pattern AT = Pattern.compile(
            "RESUME 1 ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) (0|[1-9][0-9]{0,18})");

    public ResumeAnswer {
        if (offset < 0 || stream.isEmpty() && offset != 0) {
            throw new IllegalArgumentException("resume offset " + offset);
        }
    }

    public static ResumeAnswer none() {
        return new ResumeAnswer(Optional.empty(), 0);
    }

    public static ResumeAnswer at(UUID stream, long offset) {
        return new ResumeAnswer(Optional.of(stream), offset);
    }

    /** The line as sent, without its newline. */
    public String line() {
        return stream.map(s -> PREFIX + s.toString().toLowerCase(Locale.ROOT) + " " + offset).orElse(PREFIX + "none");
    }

    /** The answer a line carries, or empty for anything that is not exactly one. */
    public static Optional<ResumeAnswer> parse(String line) {
        if (line == null || line.length() > MAX_LINE) {
            return Optional.empty();
        }
        if (line.equals(PREFIX + "none")) {
            return Optional.of(none());
        }
        Matcher m = AT.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(at(UUID.fromString(m.group(1)), Long.parseLong(m.group(2))));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }
}
