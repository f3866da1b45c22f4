package org.lvmsync.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.lvmsync.os.ZstdCompressor;

/**
 * The hostile corpus for the extended format, generated here: truncation at every byte of
 * a small stream, every single-bit flip, and forged records whose damaged fields carry
 * valid checksums (so each field check is reached): huge lengths, offsets past the end
 * or near 2^63, records out of order or overlapping, wrong numbers, end records with
 * wrong counts, malformed identities, zstd bombs and malformed frames, wrong and partial
 * handshakes. Every case must be refused with one line naming the record and stream
 * byte, and no record at or after the bad one may be handed out.
 *
 * <p>The forged cases are also written to {@code target/hostile-corpus/} (one stream and
 * its expected message per case) for tests of the whole tool.
 */
class ExtendedCorpusTest {
    static final String SOURCE = "corpus";
    static final long DEVICE = 1 << 30;
    static final Path CORPUS = Path.of("target", "hostile-corpus");
    static final Map<String, String> WRITTEN = new LinkedHashMap<>();

    /** What decoding a stream gave: records handed out before the failure, and the failure. */
    record Outcome(List<Record> records, CorruptStreamException error) {
    }

    static Outcome decode(byte[] bytes) {
        List<Record> got = new ArrayList<>();
        MemorySegment sink = MemorySegment.ofArray(new byte[64 * 1024]);
        try (StreamDecoder dec = StreamFormats.open(Channels.newChannel(new ByteArrayInputStream(bytes)), SOURCE)) {
            Record r;
            while ((r = dec.next()) != null) {
                got.add(r);
                while (dec.readPayload(sink) > 0) {
                    // drain the payload as an applier would
                }
            }
            return new Outcome(got, null);
        } catch (CorruptStreamException e) {
            return new Outcome(got, e);
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("decoding must fail only with CorruptStreamException, got " + e, e);
        }
    }

    /** Asserts a refusal with one line, and that only the records before {@code badRecord} came out. */
    static CorruptStreamException refused(byte[] bytes, int badRecord, String what) {
        Outcome o = decode(bytes);
        assertNotNull(o.error(), what + ": accepted, gave " + o.records());
        String m = o.error().getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), what + ": more than one line: " + m);
        assertTrue(m.startsWith("corrupt change stream " + SOURCE + ": "), m);
        if (badRecord >= 0) {
            assertEquals(badRecord, o.records().size(), what + ": records handed out before the bad one: " + m);
            assertEquals(badRecord, o.error().recordIndex(), what + ": " + m);
        }
        return o.error();
    }

    // ---- the small stream that truncation and bit flips work on ----

    static final byte[] TEXT = ExtendedFormatTest.compressible(new Random(11), 600);
    static final byte[] NOISE = ExtendedFormatTest.random(new Random(12), 48);

    /** Header, a compressed data record, a plain one, a zero and a discard record, the end. */
    static byte[] small() throws IOException {
        StreamIdentity id = XForge.classicIdentityValue(XForge.EXAMPLE_ID, DEVICE, 4096);
        return ExtendedFormatTest.encode(ExtendedFormat.Options.zstd(3, 0), id, enc -> {
            ExtendedFormatTest.data(enc, 4096, TEXT);
            ExtendedFormatTest.data(enc, 8192, NOISE);
            enc.write(new Record.Zero(12288, 4096), MemorySegment.NULL);
            enc.write(new Record.Discard(1 << 20, 1 << 20), MemorySegment.NULL);
        });
    }

    /** Start of each record of a well-formed stream, and its end as the last entry. */
    static List<Integer> starts(byte[] s) {
        List<Integer> starts = new ArrayList<>();
        int at = XForge.HANDSHAKE.length();
        while (at < s.length) {
            starts.add(at);
            long stored = ((s[at + 4] & 0xffL) << 24) | ((s[at + 5] & 0xff) << 16) | ((s[at + 6] & 0xff) << 8)
                    | (s[at + 7] & 0xff);
            at += 40 + (int) stored;
        }
        starts.add(s.length);
        return starts;
    }

    static int recordOf(List<Integer> starts, int byteAt) {
        int k = 0;
        while (starts.get(k + 1) <= byteAt) {
            k++;
        }
        return k;
    }

    @Test
    void theSmallStreamIsWhole() throws IOException {
        byte[] s = small();
        Outcome o = decode(s);
        assertEquals(null, o.error());
        assertEquals(6, o.records().size());
        assertEquals(7, starts(s).size());
        assertEquals(1, ExtendedFormatTest.countFlagged(s), "the corpus stream holds a compressed record");
    }

    @Test
    void truncationAtEveryByteIsRefused() throws IOException {
        byte[] full = small();
        List<Integer> starts = starts(full);
        int handshake = XForge.HANDSHAKE.length();
        for (int cut = 0; cut < full.length; cut++) {
            byte[] part = Arrays.copyOf(full, cut);
            if (cut == 0) {
                assertEquals("corrupt change stream corpus: handshake at stream byte 0: the stream is empty;"
                        + " expected \"lvmsync XPROTO[1]\", \"lvmsync PROTO[3]\", \"lvmsync PROTO[2]\"",
                        refused(part, -1, "empty").getMessage());
                continue;
            }
            if (cut < handshake) {
                assertEquals("corrupt change stream corpus: handshake at stream byte 0: the stream ends inside its"
                        + " handshake line, after " + StreamFormats.quote(part, cut) + ": it is cut short",
                        refused(part, -1, "cut " + cut).getMessage());
                continue;
            }
            int k = recordOf(starts, cut);
            int start = starts.get(k);
            String prefix = "corrupt change stream corpus: record " + (k + 1) + " at stream byte " + start + ": ";
            String m = refused(part, k, "cut " + cut).getMessage();
            if (cut == start) {
                assertEquals(prefix + "the stream ends here without its end record: it is cut short after " + k
                        + " records", m);
            } else if (cut < start + 40) {
                assertEquals(prefix + "record header cut short: the stream ends after " + (cut - start)
                        + " of 40 header bytes (without its end record)", m);
            } else {
                int stored = starts.get(k + 1) - start - 40;
                assertEquals(prefix + "payload cut short: the stream ends at byte " + cut + " after "
                        + (cut - start - 40) + " of " + stored + " payload bytes", m);
            }
        }
    }

    @Test
    void everySingleBitFlipIsRefusedAtItsRecord() throws IOException {
        byte[] full = small();
        List<Integer> starts = starts(full);
        int handshake = XForge.HANDSHAKE.length();
        int flips = 0;
        for (int at = 0; at < full.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = full.clone();
                bad[at] ^= (byte) (1 << bit);
                String what = "bit " + bit + " of byte " + at;
                flips++;
                if (at < handshake) {
                    String m = refused(bad, -1, what).getMessage();
                    assertTrue(m.startsWith("corrupt change stream corpus: handshake at stream byte 0: unknown handshake"),
                            what + ": " + m);
                    continue;
                }
                int k = recordOf(starts, at);
                int start = starts.get(k);
                CorruptStreamException e = refused(bad, k, what);
                assertEquals(start, e.streamOffset(), what + ": " + e.getMessage());
                String detail = at < start + 40 ? "header checksum mismatch" : "payload checksum mismatch";
                assertTrue(e.getMessage().contains(": " + detail + " (stored "), what + ": " + e.getMessage());
            }
        }
        assertEquals(full.length * 8, flips);
    }

    // ---- forged records: damaged fields under valid checksums ----

    static XForge start() {
        return new XForge().handshake().identity(XForge.classicIdentity(XForge.EXAMPLE_ID, DEVICE, 4096));
    }

    static XForge.Rec rec(int type, long offset, long length, byte[] payload) {
        XForge.Rec r = new XForge.Rec(type);
        r.offset = offset;
        r.length = length;
        r.payload = payload;
        return r;
    }

    /**
     * One forged case: the stream, the record that must be refused (0-based), and the
     * exact message after "record N at stream byte B: ".
     */
    static void forged(String name, XForge stream, int badRecord, String detail) throws IOException {
        byte[] bytes = stream.bytes();
        CorruptStreamException e = refused(bytes, badRecord, name);
        int at = stream.starts().get(badRecord);
        String expected = "corrupt change stream corpus: record " + (badRecord + 1) + " at stream byte " + at + ": "
                + detail;
        assertEquals(expected, e.getMessage(), name);
        keep(name, bytes, expected);
    }

    static void keep(String name, byte[] bytes, String message) throws IOException {
        Files.createDirectories(CORPUS);
        Files.write(CORPUS.resolve(name + ".xstream"), bytes);
        Files.writeString(CORPUS.resolve(name + ".expected"), message + "\n");
        WRITTEN.put(name, message);
    }

    @AfterAll
    static void index() throws IOException {
        if (!WRITTEN.isEmpty()) {
            StringBuilder sb = new StringBuilder("# case\texpected message (generated by ExtendedCorpusTest)\n");
            WRITTEN.forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
            Files.writeString(CORPUS.resolve("INDEX.tsv"), sb.toString());
        }
    }

    static final byte[] K4 = new byte[4096];

    static {
        Arrays.fill(K4, (byte) 0x5a);
    }

    @Test
    void hugeLengthsAreRefusedBeforeAnythingIsRead() throws IOException {
        XForge.Rec r = rec(XForge.DATA, 0, 1L << 32, K4);
        forged("data-length-2^32", start().record(r), 1, "data record length 4294967296 is outside 1..1048576");
        r = rec(XForge.DATA, 0, Long.MIN_VALUE + 5, K4);
        forged("data-length-2^63", start().record(r), 1,
                "data record length 9223372036854775813 is outside 1..1048576");
        r = rec(XForge.DATA, 0, (1 << 20) + 1, K4);
        forged("data-length-1MiB+1", start().record(r), 1, "data record length 1048577 is outside 1..1048576");
        r = rec(XForge.DATA, 0, 1 << 20, K4);
        r.stored = 0xffffffffL;
        forged("data-stored-4GiB", start().record(r), 1, "data record stores 4294967295 bytes for a length of 1048576");
        r = rec(XForge.DATA, 0, 4096, K4);
        r.stored = 4095L;
        forged("data-stored-short", start().record(r), 1, "data record stores 4095 bytes for a length of 4096");
        r = rec(XForge.ZERO, 0, -1L, new byte[0]);
        forged("zero-length-2^64", start().record(r), 1, "zero record length 18446744073709551615 is beyond 2^63");
        r = rec(XForge.DISCARD, 4096, 0, new byte[0]);
        forged("discard-length-0", start().record(r), 1, "the discard record has length 0 (it covers at least one byte)");
        r = rec(XForge.ZERO, 0, 4096, new byte[5]);
        forged("zero-with-payload", start().record(r), 1, "a zero record with 5 payload bytes (it has none)");
        r = rec(XForge.HEADER, 0, 0, new byte[5000]);
        forged("identity-5000-bytes", new XForge().handshake().record(r), 0,
                "the stream header record has 5000 payload bytes, not 1..4096");
        r = rec(XForge.END, 0, 0, new byte[1 << 16]);
        r.digested = false;
        forged("end-64KiB", start().record(r), 1, "the end record has 65536 payload bytes, not 72");
    }

    @Test
    void offsetsPastTheEndOrNear2To63AreRefused() throws IOException {
        forged("zero-at-device-end", start().zero(DEVICE, 4096), 1,
                "the zero record [1073741824, 1073745920) ends past the device size 1073741824 named by the stream header");
        forged("data-crossing-device-end", start().data(DEVICE - 100, K4), 1,
                "the data record [1073741724, 1073745820) ends past the device size 1073741824 named by the stream header");
        forged("discard-offset-2^63", start().discard(Long.MIN_VALUE, 4096), 1,
                "offset 9223372036854775808 is beyond 2^63");
        forged("zero-offset-near-2^63", start().zero(Long.MAX_VALUE - 10, 4096), 1,
                "offset 9223372036854775797 + length 4096 overflows 2^63");
        forged("data-offset-2^64-1", start().data(-1L, K4), 1, "offset 18446744073709551615 is beyond 2^63");
    }

    @Test
    void recordsOutOfOrderOrOverlappingAreRefused() throws IOException {
        forged("data-before-previous", start().data(8192, K4).data(0, K4), 2,
                "the data record at offset 0 overlaps or precedes the previous record, which ends at 12288"
                        + " (records are sorted and disjoint)");
        forged("zero-overlapping-data", start().data(0, K4).zero(2048, 4096), 2,
                "the zero record at offset 2048 overlaps or precedes the previous record, which ends at 4096"
                        + " (records are sorted and disjoint)");
        forged("same-record-twice", start().data(0, K4).data(0, K4), 2,
                "the data record at offset 0 overlaps or precedes the previous record, which ends at 4096"
                        + " (records are sorted and disjoint)");
        XForge.Rec r = rec(XForge.DATA, 8192, 4096, K4);
        r.number = 2L;
        forged("number-repeated", start().data(0, K4).record(r), 2,
                "record number 2 where 3 was expected: a record is missing, repeated or out of place");
        r = rec(XForge.DATA, 8192, 4096, K4);
        r.number = 4L;
        forged("number-skipped", start().data(0, K4).record(r), 2,
                "record number 4 where 3 was expected: a record is missing, repeated or out of place");
        r = rec(XForge.DATA, 8192, 4096, K4);
        r.number = -1L;
        forged("number-2^64-1", start().record(r), 1,
                "record number 18446744073709551615 where 2 was expected: a record is missing, repeated or out of place");
        forged("data-first", new XForge().handshake().data(0, K4), 0,
                "the stream does not begin with its stream header record (found a data record)");
        forged("end-first", new XForge().handshake().end(), 0,
                "the stream does not begin with its stream header record (found a end record)");
        forged("second-header", start().data(0, K4).identity(XForge.classicIdentity(UUID.randomUUID(), DEVICE, 4096)),
                2, "a second stream header record");
    }

    @Test
    void headerFieldsOutsideTheFormatAreRefused() throws IOException {
        XForge.Rec r = rec(9, 0, 0, new byte[0]);
        forged("type-9", start().record(r), 1, "record type unknown (0x09) is not one of this format's");
        r = rec(0, 0, 0, new byte[0]);
        forged("type-0", start().record(r), 1, "record type unknown (0x00) is not one of this format's");
        r = rec(XForge.DATA, 0, 4096, K4);
        r.reserved = 1;
        forged("reserved-set", start().record(r), 1, "reserved header bytes hold 0x0001, not 0");
        r = rec(XForge.DATA, 0, 4096, K4);
        r.flags = 2;
        forged("data-flag-2", start().record(r), 1, "flags 0x02 are not valid on a data record");
        r = rec(XForge.ZERO, 0, 4096, new byte[0]);
        r.flags = 1;
        forged("zero-flag-zstd", start().record(r), 1, "flags 0x01 are not valid on a zero record");
        r = rec(XForge.HEADER, 5, 0, XForge.classicIdentity(XForge.EXAMPLE_ID, DEVICE, 4096));
        forged("header-with-offset", new XForge().handshake().record(r), 0,
                "the stream header record has offset 5 and length 0, not 0 and 0");
        r = rec(XForge.END, 0, 7, XForge.endPayload(1, 0, 0, 0, 0, new byte[32]));
        r.digested = false;
        forged("end-with-length", start().record(r), 1, "the end record has offset 0 and length 7, not 0 and 0");
    }

    /** Header, data, zero and discard records: what the end-record cases end. */
    static XForge threeRecords() {
        return start().data(0, K4).zero(4096, 4096).discard(8192, 4096);
    }

    @Test
    void endRecordsWithWrongFiguresAreRefused() throws IOException {
        XForge s = threeRecords();
        long at = s.size();
        byte[] digest = s.sha256Now();
        String tail = " (records are missing, added or changed)";
        forged("end-records-wrong", threeRecords().end(5, at, 4096, 4096, 4096, digest), 4,
                "the end record counts 5 records, the stream has 4" + tail);
        forged("end-stream-bytes-wrong", threeRecords().end(4, at - 1, 4096, 4096, 4096, digest), 4,
                "the end record counts " + (at - 1) + " stream bytes, the stream has " + at + tail);
        forged("end-data-bytes-wrong", threeRecords().end(4, at, 4097, 4096, 4096, digest), 4,
                "the end record counts 4097 data bytes, the stream has 4096" + tail);
        forged("end-zero-bytes-wrong", threeRecords().end(4, at, 4096, 0, 4096, digest), 4,
                "the end record counts 0 zero bytes, the stream has 4096" + tail);
        forged("end-discard-bytes-wrong", threeRecords().end(4, at, 4096, 4096, -1, digest), 4,
                "the end record counts 18446744073709551615 discard bytes, the stream has 4096" + tail);
        byte[] other = digest.clone();
        other[31] ^= 1;
        forged("end-digest-wrong", threeRecords().end(4, at, 4096, 4096, 4096, other), 4,
                "stream digest mismatch (end record " + HexFormat.of().formatHex(other) + ", stream "
                        + HexFormat.of().formatHex(digest) + ")");

        // the end record of another stream with the same records under another identity
        XForge twin = new XForge().handshake().identity(XForge.classicIdentity(UUID.randomUUID(), DEVICE, 4096))
                .data(0, K4).zero(4096, 4096).discard(8192, 4096);
        byte[] twinDigest = twin.sha256Now();
        forged("end-from-another-stream", threeRecords().end(4, at, 4096, 4096, 4096, twinDigest), 4,
                "stream digest mismatch (end record " + HexFormat.of().formatHex(twinDigest) + ", stream "
                        + HexFormat.of().formatHex(digest) + ")");

        byte[] whole = threeRecords().end().bytes();
        for (byte[] extra : List.of(new byte[] {0}, Arrays.copyOfRange(whole, (int) at, whole.length))) {
            byte[] trailing = concat(whole, extra);
            Outcome o = decode(trailing);
            assertEquals(5, o.records().size(), "the stream's records, its end record included, came out");
            String m = "corrupt change stream corpus: record 6 at stream byte " + whole.length
                    + ": bytes follow the end record; the stream must end there";
            assertEquals(m, o.error().getMessage());
            keep("bytes-after-end-" + extra.length, trailing, m);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static XForge withIdentity(byte[] tlv) {
        return new XForge().handshake().identity(tlv);
    }

    @Test
    void malformedIdentitiesAreRefused() throws IOException {
        XForge.Tlv base = new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE).u32(3, 4096);
        String p = "stream header: ";
        forged("identity-unknown-field", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE)
                .u32(3, 4096).field(6, new byte[1]).field(0x101, new byte[] {1}).bytes()), 0,
                p + "unknown identity field 0x0006 at payload byte 40");
        forged("identity-whole-device-with-a-value", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID)
                .u64(2, DEVICE).u32(3, 4096).field(5, new byte[1]).field(0x101, new byte[] {1}).bytes()), 0,
                p + "identity field 0x0005 at payload byte 40 has 1 bytes, not 0");
        forged("identity-whole-device-with-a-base", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID)
                .u64(2, DEVICE).u32(3, 4096).field(5, new byte[0]).field(0x101, new byte[] {2})
                .field(0x201, new byte[] {2}).text(0x203, "uuid").bytes()), 0,
                p + "a whole-device stream (field 0x0005) names a base snapshot (fields 0x02nn): it leads from nothing");
        forged("identity-whole-device-undo-file", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID)
                .u64(2, DEVICE).u32(3, 4096).uuid(4, XForge.EXAMPLE_ID).field(5, new byte[0])
                .field(0x101, new byte[] {1}).bytes()), 0,
                p + "a whole-device stream (field 0x0005) is an undo file (field 0x0004): it leads from nothing");
        forged("identity-undoes-short", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE)
                .u32(3, 4096).field(4, new byte[1]).field(0x101, new byte[] {1}).bytes()), 0,
                p + "identity field 0x0004 at payload byte 40 has 1 bytes, not 16");
        forged("identity-fields-out-of-order", withIdentity(new XForge.Tlv().u64(2, DEVICE).uuid(1, XForge.EXAMPLE_ID)
                .bytes()), 0, p + "identity field 0x0001 at payload byte 12 is out of order (tags ascend)");
        forged("identity-field-twice", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID)
                .uuid(1, XForge.EXAMPLE_ID).bytes()), 0, p + "identity field 0x0001 at payload byte 20 appears twice");
        forged("identity-field-overrun", withIdentity(concat(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).bytes(),
                new byte[] {0, 2, 0, 9, 1})), 0, p + "identity field 0x0002 at payload byte 20 claims 9 bytes, 1 remain");
        forged("identity-field-cut", withIdentity(concat(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).bytes(),
                new byte[] {0, 2})), 0, p + "identity field at payload byte 20 is cut short");
        forged("identity-device-size-short", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID)
                .u32(2, DEVICE).bytes()), 0, p + "identity field 0x0002 at payload byte 20 has 4 bytes, not 8");
        forged("identity-device-size-odd", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, 1000)
                .bytes()), 0, p + "device size 1000 is not a positive multiple of 512");
        forged("identity-device-size-2^64-512", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID)
                .u64(2, -512).bytes()), 0, p + "device size 18446744073709551104 is not a positive multiple of 512");
        forged("identity-chunk-0", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE)
                .u32(3, 0).bytes()), 0, p + "chunk size 0 is not a multiple of 512 in 512..1073741824");
        forged("identity-chunk-4GiB", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE)
                .u32(3, 0xfffffe00L).bytes()), 0, p + "chunk size 4294966784 is not a multiple of 512 in 512..1073741824");
        forged("identity-no-source", withIdentity(base.bytes()), 0,
                p + "the identity names no source snapshot (field 0x0101 missing)");
        forged("identity-no-stream-id", withIdentity(new XForge.Tlv().u64(2, DEVICE).u32(3, 4096)
                .field(0x101, new byte[] {1}).bytes()), 0, p + "the identity lacks its stream id field");
        forged("identity-kind-3", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE).u32(3, 4096)
                .field(0x101, new byte[] {3}).bytes()), 0,
                p + "identity field 0x0101: unknown snapshot kind 3 (1 classic, 2 thin)");
        forged("identity-text-control", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE)
                .u32(3, 4096).field(0x101, new byte[] {1}).field(0x102, "vg/l\nv".getBytes(StandardCharsets.US_ASCII))
                .bytes()), 0, p + "identity field 0x0102 at payload byte 45 holds character 0x0a at 4 (printable ASCII only)");
        forged("identity-text-empty", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE)
                .u32(3, 4096).field(0x101, new byte[] {1}).field(0x103, new byte[0]).bytes()), 0,
                p + "identity field 0x0103 at payload byte 45 has 0 characters (1..255 allowed)");
        forged("identity-thin-id-2^63", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE)
                .u32(3, 4096).field(0x101, new byte[] {2}).u64(0x106, Long.MIN_VALUE).bytes()), 0,
                p + "identity field 0x0106: id 9223372036854775808 is beyond 2^63");
        forged("identity-base-without-kind", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE)
                .u32(3, 4096).field(0x101, new byte[] {1}).text(0x203, "uuid").bytes()), 0,
                p + "the base snapshot has no kind (field 0x0201 missing)");
        forged("identity-group-3", withIdentity(new XForge.Tlv().uuid(1, XForge.EXAMPLE_ID).u64(2, DEVICE)
                .u32(3, 4096).field(0x101, new byte[] {1}).field(0x301, new byte[] {1}).bytes()), 0,
                p + "unknown identity field 0x0301 at payload byte 45");
    }

    @Test
    void zstdBombsAndMalformedFramesAreRefused() throws IOException {
        String frame = "compressed payload ";
        forged("zstd-bomb-claims-1TiB", start().zstd(0, 4096, ZstdFrames.frame(1L << 40, 17).rle(7, 4096, true).bytes()),
                1, frame + "claims 1099511627776 bytes for a record of 4096 (a frame may expand only to its record)");
        forged("zstd-bomb-expands-1MiB", start().zstd(0, 4096, ZstdFrames.frame(4096, 17).rleRun(7, 8).bytes()), 1,
                frame + "refused: decompress: Destination buffer is too small (zstd error 70)");
        // 1000 blocks of 4 bytes, each expanding to 128 KiB: 125 MiB out of 4 KiB, for a record of 4 KiB
        forged("zstd-bomb-expands-125MiB", start().zstd(0, 4096,
                ZstdFrames.frame(4096, 17).rleRun(0, 1000).bytes()), 1,
                frame + "refused: decompress: Destination buffer is too small (zstd error 70)");
        byte[] real = realBomb();
        forged("zstd-bomb-real-64MiB", start().zstd(0, 1 << 20, real), 1,
                frame + "claims 67108864 bytes for a record of 1048576 (a frame may expand only to its record)");
        forged("zstd-short-frame", start().zstd(0, 4096, ZstdFrames.frame(4096, 17).raw(new byte[100], true).bytes()),
                1, frame + "refused: decompress: Data corruption detected (zstd error 20)");
        forged("zstd-no-content-size", start().zstd(0, 4096, ZstdFrames.frame(-1, 17).rle(7, 4096, true).bytes()), 1,
                frame + "does not declare its size");
        forged("zstd-no-last-block", start().zstd(0, 4096, ZstdFrames.frame(4096, 17).rle(7, 4096, false).bytes()), 1,
                frame + "refused: frame size: Src size is incorrect (zstd error 72)");
        forged("zstd-skippable-frame", start().zstd(0, 4096, ZstdFrames.skippable(new byte[10])), 1,
                frame + "claims 0 bytes for a record of 4096 (a frame may expand only to its record)");
        forged("zstd-not-a-frame", start().zstd(0, 4096, "not zstd at all".getBytes(StandardCharsets.US_ASCII)), 1,
                frame + "is not a zstd frame");
        forged("zstd-trailing-bytes", start().zstd(0, 4096,
                concat(ZstdFrames.frame(4096, 17).rle(7, 4096, true).bytes(), new byte[] {1, 2, 3})), 1,
                frame + "has 3 bytes after its zstd frame");
        forged("zstd-two-frames", start().zstd(0, 8192, concat(ZstdFrames.frame(4096, 17).rle(7, 4096, true).bytes(),
                ZstdFrames.frame(4096, 17).rle(7, 4096, true).bytes())), 1,
                frame + "claims 4096 bytes for a record of 8192 (a frame may expand only to its record)");
        forged("zstd-not-smaller", start().zstd(0, 16, new byte[16]), 1,
                "compressed data record stores 16 bytes for 16 (must be 1..15)");
        XForge.Rec r = rec(XForge.DATA, 0, 4096, new byte[0]);
        r.flags = 1;
        forged("zstd-empty", start().record(r), 1, "compressed data record stores 0 bytes for 4096 (must be 1..4095)");

        // the well-formed twin of the first bomb is accepted: the refusals are about the lies
        Outcome ok = decode(start().zstd(0, 4096, ZstdFrames.frame(4096, 17).rle(7, 4096, true).bytes()).end().bytes());
        assertEquals(null, ok.error());
    }

    /** A frame made by libzstd of 64 MiB of zeros: a few kilobytes that claim 64 MiB. */
    static byte[] realBomb() throws IOException {
        try (Arena arena = Arena.ofConfined(); ZstdCompressor c = ZstdCompressor.open(1, 0)) {
            MemorySegment zeros = arena.allocate(64 << 20);
            MemorySegment dst = arena.allocate(1 << 20);
            long n = c.compress(dst, zeros);
            assertTrue(n > 0 && n < 1 << 20, "frame of " + n + " bytes");
            return dst.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    @Test
    void wrongAndPartialHandshakesAreRefused() throws IOException {
        String understood = "; this lvmsync understands \"lvmsync XPROTO[1]\", \"lvmsync PROTO[3]\", \"lvmsync PROTO[2]\""
                + " (headerless PROTO[2] snapback files of lvmsync 1.0.0 cannot be applied safely)";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("lvmsync XPROTO[2]\n", "unknown handshake \"lvmsync XPROTO[2]\"" + understood);
        cases.put("LVMSYNC XPROTO[1]\n", "unknown handshake \"LVMSYNC XPROTO[1]\"" + understood);
        cases.put("lvmsync XPROTO[1]\r\n", "unknown handshake \"lvmsync XPROTO[1]\\x0d\"" + understood);
        cases.put(" lvmsync XPROTO[1]\n", "unknown handshake \" lvmsync XPROTO[1]\"" + understood);
        cases.put("lvmsync XPROTO[1] \n", "unknown handshake \"lvmsync XPROTO[1] \"" + understood);
        cases.put("lvmsync XPROTO[1]", "the stream ends inside its handshake line, after \"lvmsync XPROTO[1]\": it is cut short");
        cases.put("lvmsync XPR", "the stream ends inside its handshake line, after \"lvmsync XPR\": it is cut short");
        cases.put("lvmsync XPROTO[1]junk", "unknown handshake \"lvmsync XPROTO[1]junk\"" + understood);
        cases.put("x".repeat(100), "unknown handshake \"" + "x".repeat(32) + "...\"" + understood);
        cases.put("\0\0\0\0\0\0\0\0\0\0\0\1\n", "unknown handshake \"" + "\\x00".repeat(11) + "\\x01\"" + understood);
        int n = 0;
        for (var c : cases.entrySet()) {
            byte[] bytes = concat(c.getKey().getBytes(StandardCharsets.ISO_8859_1), start().bytes());
            CorruptStreamException e = refused(Arrays.copyOf(bytes, c.getKey().endsWith("\n") ? bytes.length
                    : c.getKey().length()), -1, c.getKey());
            assertEquals("corrupt change stream corpus: handshake at stream byte 0: " + c.getValue(), e.getMessage());
            assertEquals(-1, e.recordIndex());
            keep("handshake-" + n++, bytes, e.getMessage());
        }
    }

    @Test
    void originalReceiversRefuseTheHandshakeLine() {
        // the original compares its first line with its own; ours differs, so it stops there
        String line = XForge.HANDSHAKE.strip();
        for (String original : List.of("lvmsync PROTO[3]", "lvmsync PROTO[2]")) {
            assertFalse(line.equals(original));
            assertEquals(line, ExtendedFormat.V1.handshake());
        }
        // no single bit flip of one known handshake gives another
        for (StreamFormat a : StreamFormats.KNOWN) {
            byte[] h = a.handshake().getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < h.length * 8; i++) {
                byte[] f = h.clone();
                f[i / 8] ^= (byte) (1 << (i % 8));
                String flipped = new String(f, StandardCharsets.ISO_8859_1);
                if (a != ExtendedFormat.V1) {
                    continue;   // PROTO[3] and PROTO[2] are one bit apart; the original chose them
                }
                assertTrue(StreamFormats.KNOWN.stream().noneMatch(b -> b.handshake().equals(flipped)), flipped);
            }
        }
    }

    /** Counts for the report: how many hostile inputs this class refuses. */
    @Test
    void corpusSize() throws IOException {
        byte[] s = small();
        Consumer<String> note = line -> System.out.println("hostile corpus: " + line);
        note.accept(s.length + " truncations, " + s.length * 8 + " bit flips of a " + s.length + "-byte stream");
        assertTrue(s.length > 300 && s.length < 1000, "small stream of " + s.length + " bytes");
    }

}
