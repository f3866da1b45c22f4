package org.lvmsync.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the hex dump in docs/stream-format.md equal to what the encoder writes for the
 * example described there. When the format changes, run with
 * {@code -Dlvmsync.updateDocs=true} to rewrite the dump, and read the diff.
 */
class StreamFormatDocTest {
    static final Path DOC = Path.of("docs", "stream-format.md");
    static final String BEGIN = "<!-- example-dump:begin -->\n";
    static final String END = "<!-- example-dump:end -->";
    static final byte[] DATA = "lvmsync example\n".getBytes(StandardCharsets.US_ASCII);

    static byte[] example() throws IOException {
        StreamIdentity id = XForge.classicIdentityValue(XForge.EXAMPLE_ID, 1 << 20, 4096);
        return ExtendedFormatTest.encode(ExtendedFormat.Options.PLAIN, id, enc -> {
            ExtendedFormatTest.data(enc, 0, DATA);
            ExtendedFormatTest.data(enc, 8192, new byte[8192]);
            enc.write(new Record.Discard(65536, 4096), MemorySegment.NULL);
        });
    }

    static final String[] TYPES = {"", "HEADER", "DATA", "ZERO", "DISCARD", "END"};

    /** hexdump -C lines per part: the handshake, then each record's header (decoded) and payload. */
    static String dump(byte[] s) {
        StringBuilder out = new StringBuilder("```text\n");
        int hs = XForge.HANDSHAKE.length();
        out.append("handshake, ").append(hs).append(" bytes\n");
        lines(out, s, 0, hs);
        List<Integer> starts = ExtendedCorpusTest.starts(s);
        ByteBuffer b = ByteBuffer.wrap(s);
        for (int k = 0; k + 1 < starts.size(); k++) {
            int at = starts.get(k);
            int stored = b.getInt(at + 4);
            out.append(String.format("%nrecord %d: %s, type %d flags %d stored %d number %d offset %d length %d"
                            + " payload crc %08x header crc %08x%n", k + 1, TYPES[s[at]], s[at], s[at + 1], stored,
                    b.getLong(at + 8), b.getLong(at + 16), b.getLong(at + 24), b.getInt(at + 32), b.getInt(at + 36)));
            lines(out, s, at, 40);
            if (stored > 0) {
                out.append("  payload, ").append(stored).append(" bytes\n");
                lines(out, s, at + 40, stored);
            }
        }
        return out.append("```\n").toString();
    }

    static void lines(StringBuilder out, byte[] s, int from, int length) {
        for (int line = from; line < from + length; line += 16) {
            int n = Math.min(16, from + length - line);
            StringBuilder hex = new StringBuilder();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                hex.append(i == 8 ? " " : "");
                if (i < n) {
                    int c = s[line + i] & 0xff;
                    hex.append(String.format(" %02x", c));
                    text.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
                } else {
                    hex.append("   ");
                }
            }
            out.append(String.format("%08x %s  |%s|%n", line, hex, text));
        }
    }

    @Test
    void theDocumentedDumpIsWhatTheEncoderWrites() throws IOException {
        String doc = Files.readString(DOC);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertTrue(begin >= 0 && end > begin, DOC + " lacks the example-dump markers");
        String dump = dump(example());
        String current = doc.substring(begin + BEGIN.length(), end);
        if (!current.equals(dump) && Boolean.getBoolean("lvmsync.updateDocs")) {
            Files.writeString(DOC, doc.substring(0, begin + BEGIN.length()) + dump + doc.substring(end));
            return;
        }
        assertEquals(dump, current, DOC + " shows another stream than the encoder writes;"
                + " rerun with -Dlvmsync.updateDocs=true and check the diff");
    }

    @Test
    void theExampleDecodesAsDescribed() throws IOException {
        List<Object> got = ExtendedFormatTest.decodeAll(example());
        assertEquals(new ExtendedFormatTest.Payload(0, DATA), got.get(1));
        assertEquals(new Record.Zero(8192, 8192), got.get(2));
        assertEquals(new Record.Discard(65536, 4096), got.get(3));
        assertTrue(got.get(4) instanceof Record.End e && e.records() == 4);
    }
}
