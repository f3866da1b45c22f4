package org.lvmsync.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.lvmsync.testing.Fuzz;

/**
 * Fuzzing of the stream decoders (classic and extended) as properties over generated
 * input, run by {@link Fuzz} for a bounded number of cases and time with a fresh seed
 * each run:
 *
 * <ul>
 *   <li>any bytes after any known handshake, and any bytes at all: refused with
 *       CorruptStreamException (one line) or read within the format's bounds, never
 *       another exception; random bytes never get a record out of the extended decoder;
 *   <li>a valid extended stream with random damage (bit flips, overwritten, inserted,
 *       deleted, duplicated or swapped bytes, truncation): refused, and every record
 *       handed out before the refusal is the original record with its original payload;
 *   <li>the same with the damage re-sealed (header and payload CRCs recomputed, as a
 *       forger would): still refused, at the latest by the end record's digest.
 * </ul>
 */
class DecoderFuzzTest {
    /** What a decode handed out: records with their payloads, and the failure if any. */
    record Decoded(List<Object> records, CorruptStreamException error) {
    }

    static Decoded decode(byte[] bytes) {
        List<Object> got = new ArrayList<>();
        try (StreamDecoder dec = StreamFormats.open(Channels.newChannel(new ByteArrayInputStream(bytes)), "fuzz")) {
            Record r;
            while ((r = dec.next()) != null) {
                assertTrue(dec.recordStreamOffset() >= 0 && dec.recordStreamOffset() <= bytes.length);
                if (r instanceof Record.Data d) {
                    long bound = dec.format() instanceof ExtendedFormat ? ExtendedFormat.MAX_DATA
                            : ClassicFormat.MAX_RECORD_LENGTH;
                    assertTrue(d.length() <= bound, "record within the bound: " + d);
                    assertEquals(d.length(), dec.payloadRemaining());
                    byte[] p = new byte[(int) d.length()];
                    assertEquals(d.length(), dec.readPayload(MemorySegment.ofArray(p)));
                    assertEquals(0, dec.payloadRemaining());
                    got.add(new ExtendedFormatTest.Payload(d.offset(), p));
                } else {
                    assertEquals(0, dec.payloadRemaining());
                    got.add(r);
                }
            }
            return new Decoded(got, null);
        } catch (CorruptStreamException e) {
            String m = e.getMessage();
            assertFalse(m.contains("\n") || m.contains("\r"), m);
            assertTrue(m.startsWith("corrupt change stream fuzz: "), m);
            return new Decoded(got, e);
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("only CorruptStreamException may come out of a decoder: " + e, e);
        }
    }

    static final String[] HANDSHAKES = {"lvmsync PROTO[3]\n", "lvmsync PROTO[2]\n", "lvmsync XPROTO[1]\n"};

    /** Bytes with a bias: plain noise, runs of one value, or header-like fields with small numbers. */
    static byte[] junk(Random rnd, int max) {
        byte[] b = new byte[rnd.nextInt(max + 1)];
        switch (rnd.nextInt(3)) {
            case 0 -> rnd.nextBytes(b);
            case 1 -> Arrays.fill(b, (byte) (rnd.nextBoolean() ? 0 : 0xff));
            default -> {
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt(256) : rnd.nextInt(3));
                }
            }
        }
        return b;
    }

    @Test
    void anyBytesAfterAHandshakeAreRefusedOrReadWithinBounds() {
        Fuzz.run("bytes after a handshake", 2000, rnd -> {
            String handshake = HANDSHAKES[rnd.nextInt(HANDSHAKES.length)];
            byte[] bytes = ExtendedCorpusTest.concat(handshake.getBytes(StandardCharsets.US_ASCII), junk(rnd, 2048));
            Decoded d = decode(bytes);
            if (handshake.contains("XPROTO")) {
                assertNotNull(d.error(), "random bytes cannot pass the extended format's checksums");
                assertTrue(d.records().isEmpty(), "nothing of random bytes is handed out: " + d.records());
            }
        });
    }

    @Test
    void anyBytesAtAllAreRefusedOrRead() {
        Fuzz.run("any bytes", 2000, rnd -> decode(junk(rnd, 256)));
    }

    /** Classic streams of random records: every cut keeps to what was whole before it. */
    @Test
    void classicStreamsCutAnywhereGiveOnlyWholeRecords() {
        Fuzz.run("classic cuts", 1000, rnd -> {
            int n = rnd.nextInt(7);
            long[] offsets = new long[n];
            byte[][] payloads = new byte[n][];
            for (int i = 0; i < n; i++) {
                offsets[i] = rnd.nextInt(1 << 20) * 512L;
                payloads[i] = ExtendedFormatTest.random(rnd, 1 + rnd.nextInt(600));
            }
            byte[] full = CodecTest.handAssembled("lvmsync PROTO[3]", offsets, payloads);
            Decoded whole = decode(full);
            assertNull(whole.error());
            assertEquals(n, whole.records().size());
            Decoded part = decode(Arrays.copyOf(full, rnd.nextInt(full.length + 1)));
            for (int i = 0; i < part.records().size(); i++) {
                assertEquals(whole.records().get(i), part.records().get(i));
            }
        });
    }

    // ---- damaged extended streams ----

    /** A valid extended stream of random records: data (noise or text, maybe compressed), zeros, discards. */
    static byte[] stream(Random rnd) throws IOException {
        long seed = rnd.nextLong();
        StreamIdentity id = XForge.classicIdentityValue(new UUID(seed, ~seed), 1L << 30, 4096);
        ExtendedFormat.Options options = rnd.nextBoolean() ? ExtendedFormat.Options.PLAIN
                : ExtendedFormat.Options.zstd(1, 0);
        int records = rnd.nextInt(6);
        return ExtendedFormatTest.encode(options, id, enc -> {
            long at = 0;
            for (int i = 0; i < records; i++) {
                at += rnd.nextInt(3) * 4096L;
                int n = 1 + rnd.nextInt(3000);
                switch (rnd.nextInt(4)) {
                    case 0 -> ExtendedFormatTest.data(enc, at, ExtendedFormatTest.random(rnd, n));
                    case 1 -> ExtendedFormatTest.data(enc, at, ExtendedFormatTest.compressible(rnd, n));
                    case 2 -> enc.write(new Record.Zero(at, n), MemorySegment.NULL);
                    default -> enc.write(new Record.Discard(at, n), MemorySegment.NULL);
                }
                at += n;
            }
        });
    }

    /** One to four kinds of damage at random places. */
    static byte[] damage(Random rnd, byte[] s) {
        byte[] b = s;
        for (int k = 1 + rnd.nextInt(4); k > 0 && b.length > 0; k--) {
            int at = rnd.nextInt(b.length);
            int len = Math.min(1 + rnd.nextInt(200), b.length - at);
            b = switch (rnd.nextInt(7)) {
                case 0 -> {
                    byte[] c = b.clone();
                    c[at] ^= (byte) (1 << rnd.nextInt(8));
                    yield c;
                }
                case 1 -> {
                    byte[] c = b.clone();
                    c[at] = (byte) rnd.nextInt(256);
                    yield c;
                }
                case 2 -> splice(b, at, 0, junk(rnd, 50));
                case 3 -> splice(b, at, len, new byte[0]);
                case 4 -> splice(b, at, 0, Arrays.copyOfRange(b, at, at + len));
                case 5 -> {
                    int other = rnd.nextInt(b.length);
                    int n = Math.min(len, Math.min(b.length - other, Math.abs(other - at)));
                    byte[] c = b.clone();
                    System.arraycopy(b, at, c, other, n);
                    System.arraycopy(b, other, c, at, n);
                    yield c;
                }
                default -> Arrays.copyOf(b, at);
            };
        }
        return b;
    }

    static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] c = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(insert, 0, c, at, insert.length);
        System.arraycopy(b, at + remove, c, at + insert.length, b.length - at - remove);
        return c;
    }

    @Test
    void damagedExtendedStreamsAreRefusedAndOnlyGenuineRecordsComeOut() {
        Fuzz.run("damaged extended streams", 2000, rnd -> {
            byte[] original = stream(rnd);
            Decoded good = decode(original);
            assertNull(good.error());
            byte[] bad = damage(rnd, original);
            Decoded d = decode(bad);
            if (Arrays.equals(bad, original)) {
                assertNull(d.error());
                return;
            }
            assertNotNull(d.error(), "damage went unnoticed");
            // the whole stream may come out only when the damage lies after its end record
            assertTrue(d.records().size() < good.records().size()
                    || d.error().getMessage().endsWith("bytes follow the end record; the stream must end there"),
                    "the end record passed, then " + d.error());
            for (int i = 0; i < d.records().size(); i++) {
                assertEquals(good.records().get(i), d.records().get(i), "record " + (i + 1) + " handed out differs");
            }
        });
    }

    /** Values a forger would try in a header field. */
    static final long[] INTERESTING = {0, 1, 2, 3, 4, 5, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, (1L << 32) - 1,
        1L << 20, (1L << 20) + 1, 1L << 30, (1L << 30) - 4096, 4096, 40, 72};

    /** Header fields by offset and width: type, flags, reserved, stored, number, offset, length, payload CRC. */
    static final int[][] FIELDS = {{0, 1}, {1, 1}, {2, 2}, {4, 4}, {8, 8}, {16, 8}, {24, 8}, {32, 4}};

    @Test
    void forgedFieldsWithValidChecksumsAreStillRefused() {
        Fuzz.run("forged header fields", 1500, rnd -> {
            byte[] original = stream(rnd);
            Decoded good = decode(original);
            List<Integer> starts = ExtendedCorpusTest.starts(original);
            int record = rnd.nextInt(starts.size() - 1);
            int at = starts.get(record);
            int[] field = FIELDS[rnd.nextInt(FIELDS.length)];
            long value = rnd.nextBoolean() ? INTERESTING[rnd.nextInt(INTERESTING.length)] : rnd.nextLong();
            byte[] bad = original.clone();
            ByteBuffer b = ByteBuffer.wrap(bad);
            int off = at + field[0];
            switch (field[1]) {
                case 1 -> b.put(off, (byte) value);
                case 2 -> b.putShort(off, (short) value);
                case 4 -> b.putInt(off, (int) value);
                default -> b.putLong(off, value);
            }
            b.putInt(at + 36, crc(bad, at, 36));    // re-sealed: the header checksum matches again
            if (Arrays.equals(bad, original)) {
                return;
            }
            Decoded d = decode(bad);
            assertNotNull(d.error(), "forged field at " + field[0] + " = " + value + " of record " + (record + 1));
            // the records before the forged one are genuine; the forged one may pass its own
            // checks (a forger can make a consistent header), never the end record's digest
            assertTrue(d.records().size() < good.records().size(), "the end record passed");
            for (int i = 0; i < Math.min(record, d.records().size()); i++) {
                assertEquals(good.records().get(i), d.records().get(i));
            }
        });
    }

    @Test
    void forgedPayloadsWithValidChecksumsAreStillRefused() {
        Fuzz.run("forged payloads", 1000, rnd -> {
            byte[] original = stream(rnd);
            List<Integer> starts = ExtendedCorpusTest.starts(original);
            List<Integer> withPayload = new ArrayList<>();
            for (int k = 0; k + 1 < starts.size(); k++) {
                if (starts.get(k + 1) - starts.get(k) > 40) {
                    withPayload.add(k);
                }
            }
            int record = withPayload.get(rnd.nextInt(withPayload.size()));
            int at = starts.get(record);
            int stored = starts.get(record + 1) - at - 40;
            byte[] bad = original.clone();
            bad[at + 40 + rnd.nextInt(stored)] ^= (byte) (1 + rnd.nextInt(255));
            ByteBuffer.wrap(bad).putInt(at + 32, crc(bad, at + 40, stored)).putInt(at + 36, crc(bad, at, 36));
            Decoded d = decode(bad);
            assertNotNull(d.error(), "forged payload of record " + (record + 1) + " accepted");
            Decoded good = decode(original);
            assertTrue(d.records().size() < good.records().size(), "the end record passed");
            for (int i = 0; i < Math.min(record, d.records().size()); i++) {
                assertEquals(good.records().get(i), d.records().get(i));
            }
        });
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    @Test
    void streamsOfRandomRecordsRoundTrip() {
        Fuzz.run("round trips", 300, rnd -> {
            long seed = rnd.nextLong();
            byte[] s = stream(new Random(seed));
            Decoded d = decode(s);
            assertNull(d.error());
            List<Integer> starts = ExtendedCorpusTest.starts(s);
            Record.End end = (Record.End) d.records().get(d.records().size() - 1);
            assertEquals(starts.get(starts.size() - 2), (int) end.streamBytes());
            assertEquals(d.records().size() - 1, end.records());
            assertArrayEquals(s, stream(new Random(seed)), "the encoder is deterministic");
        });
    }
}
