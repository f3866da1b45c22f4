package org.lvmsync.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The extended format: the encoder against the format's description, round trips, the encoder's refusals. */
class ExtendedFormatTest {
    static final long DEVICE = 1 << 20;
    static final StreamIdentity ID = XForge.classicIdentityValue(XForge.EXAMPLE_ID, DEVICE, 4096);

    static byte[] random(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** Text-like bytes: compress about 3:1, like typical file system content. */
    static byte[] compressible(Random rnd, int n) {
        String[] words = {"lvmsync ", "snapshot ", "chunk ", "origin ", "device ", "mapper ", "the ", "of ", "\n"};
        StringBuilder sb = new StringBuilder();
        while (sb.length() < n) {
            sb.append(words[rnd.nextInt(words.length)]);
            if (rnd.nextInt(8) == 0) {
                sb.append(rnd.nextInt(100_000));
            }
        }
        return sb.substring(0, n).getBytes(StandardCharsets.US_ASCII);
    }

    interface Body {
        void write(StreamEncoder enc) throws IOException;
    }

    static byte[] encode(ExtendedFormat.Options options, StreamIdentity id, Body body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StreamEncoder enc = ExtendedFormat.V1.encoder(Channels.newChannel(out), options)) {
            enc.writeHandshake();
            enc.write(new Record.Header(id), MemorySegment.NULL);
            body.write(enc);
            enc.finish();
            assertEquals(out.size(), enc.position());
        }
        return out.toByteArray();
    }

    static void data(StreamEncoder enc, long offset, byte[] bytes) throws IOException {
        enc.write(new Record.Data(offset, bytes.length), MemorySegment.ofArray(bytes));
    }

    static StreamDecoder decoder(byte[] bytes) throws IOException {
        return StreamFormats.open(Channels.newChannel(new ByteArrayInputStream(bytes)), "test");
    }

    /** Every record of a stream, payloads copied, in order; the end record included. */
    static List<Object> decodeAll(byte[] bytes) throws IOException {
        List<Object> out = new ArrayList<>();
        try (StreamDecoder dec = decoder(bytes)) {
            Record r;
            while ((r = dec.next()) != null) {
                if (r instanceof Record.Data d) {
                    byte[] p = new byte[(int) d.length()];
                    assertEquals(d.length(), dec.payloadRemaining());
                    dec.readPayload(MemorySegment.ofArray(p));
                    out.add(new Payload(d.offset(), p));
                } else {
                    assertEquals(0, dec.payloadRemaining());
                    out.add(r);
                }
            }
        }
        return out;
    }

    record Payload(long offset, byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Payload p && p.offset == offset && Arrays.equals(p.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(offset) ^ Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Payload[" + offset + ", " + bytes.length + " bytes]";
        }
    }

    /** The device after applying a decoded stream onto zeros. */
    static byte[] image(List<Object> records, int size) {
        byte[] img = new byte[size];
        for (Object o : records) {
            if (o instanceof Payload p) {
                System.arraycopy(p.bytes, 0, img, (int) p.offset, p.bytes.length);
            }
        }
        return img;
    }

    static final byte[] FIRST = random(new Random(7), 4096);
    static final byte[] LAST = random(new Random(8), 512);

    /** A small stream through the encoder: data, a data record of zeros, a discard, data at the device's end. */
    static byte[] example(ExtendedFormat.Options options) throws IOException {
        return encode(options, ID, enc -> {
            data(enc, 0, FIRST);
            data(enc, 8192, new byte[8192]);
            enc.write(new Record.Discard(65536, 4096), MemorySegment.NULL);
            data(enc, DEVICE - 512, LAST);
        });
    }

    /** The same stream by the format's description. */
    static XForge exampleForged() {
        return new XForge().handshake().identity(XForge.classicIdentity(XForge.EXAMPLE_ID, DEVICE, 4096))
                .data(0, FIRST).zero(8192, 8192).discard(65536, 4096).data(DEVICE - 512, LAST).end();
    }

    @Test
    void encoderWritesTheFormatByteForByte() throws IOException {
        assertArrayEquals(exampleForged().bytes(), example(ExtendedFormat.Options.PLAIN));
    }

    @Test
    void decoderReturnsEveryRecordWithItsFigures() throws IOException {
        XForge forged = exampleForged();
        List<Object> got = decodeAll(forged.bytes());
        assertEquals(6, got.size(), got.toString());
        assertEquals(new Record.Header(ID), got.get(0));
        assertEquals(new Payload(0, FIRST), got.get(1));
        assertEquals(new Record.Zero(8192, 8192), got.get(2));
        assertEquals(new Record.Discard(65536, 4096), got.get(3));
        assertEquals(new Payload(DEVICE - 512, LAST), got.get(4));
        Record.End end = assertInstanceOf(Record.End.class, got.get(5));
        assertEquals(5, end.records());
        assertEquals((long) forged.starts().get(5), end.streamBytes());
        assertEquals(4096 + 512, end.dataBytes());
        assertEquals(8192, end.zeroBytes());
        assertEquals(4096, end.discardBytes());
    }

    @Test
    void theExtendedHandshakeIsRecognised() throws IOException {
        try (StreamDecoder dec = decoder(exampleForged().bytes())) {
            assertSame(ExtendedFormat.V1, dec.format());
            Record first = dec.next();
            assertEquals(0, dec.recordIndex());
            assertEquals(XForge.HANDSHAKE.length(), dec.recordStreamOffset());
            assertInstanceOf(Record.Header.class, first);
        }
    }

    @Test
    void compressedStreamsDecodeToTheSameDevice() throws IOException {
        Random rnd = new Random(3);
        List<byte[]> pieces = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int n = (1 + rnd.nextInt(96)) * 4096;
            pieces.add(switch (i % 4) {
                case 0 -> random(rnd, n);
                case 1 -> compressible(rnd, n);
                case 2 -> new byte[n];
                default -> {
                    byte[] b = compressible(rnd, n);
                    Arrays.fill(b, n / 4, n / 2, (byte) 0);   // a zero run inside the record
                    yield b;
                }
            });
        }
        int size = pieces.stream().mapToInt(p -> p.length + 4096).sum();
        StreamIdentity id = XForge.classicIdentityValue(UUID.randomUUID(), size, 4096);
        Body body = enc -> {
            long at = 0;
            for (byte[] p : pieces) {
                data(enc, at, p);
                at += p.length + 4096;
            }
        };
        byte[] plain = encode(ExtendedFormat.Options.PLAIN, id, body);
        byte[] inline = encode(ExtendedFormat.Options.zstd(3, 0), id, body);
        byte[] parallel = encode(ExtendedFormat.Options.zstd(3, 2), id, body);
        assertArrayEquals(inline, parallel, "workers write the same records in the same order");
        byte[] expected = image(decodeAll(plain), size);
        assertArrayEquals(expected, image(decodeAll(inline), size));
        assertTrue(inline.length < plain.length * 3 / 4, inline.length + " vs " + plain.length);
        long compressed = countFlagged(inline);
        assertTrue(compressed >= 10, compressed + " compressed records");
        assertEquals(0, countFlagged(plain));
    }

    /** Data records whose zstd flag is set, found by walking the headers. */
    static long countFlagged(byte[] stream) {
        MemorySegment s = MemorySegment.ofArray(stream);
        long n = 0;
        for (long at = XForge.HANDSHAKE.length(); at < stream.length; ) {
            if (stream[(int) at] == XForge.DATA && (stream[(int) at + 1] & 1) != 0) {
                n++;
            }
            long stored = Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(
                    java.nio.ByteOrder.BIG_ENDIAN), at + 4));
            at += 40 + stored;
        }
        return n;
    }

    @Test
    void incompressibleDataIsStoredAsItIs() throws IOException {
        byte[] noise = random(new Random(4), 1 << 20);
        byte[] bytes = encode(ExtendedFormat.Options.zstd(3, 0), XForge.classicIdentityValue(UUID.randomUUID(),
                DEVICE, 4096), enc -> data(enc, 0, noise));
        assertEquals(0, countFlagged(bytes));
        assertEquals(new Payload(0, noise), decodeAll(bytes).get(1));
    }

    @Test
    void readOnlyAndNativePayloadsAreCompressedToo() throws IOException {
        byte[] text = compressible(new Random(9), 65536);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment nativeText = arena.allocate(text.length);
            MemorySegment.copy(MemorySegment.ofArray(text), 0, nativeText, 0, text.length);
            byte[] bytes = encode(ExtendedFormat.Options.zstd(3, 0), ID, enc -> {
                enc.write(new Record.Data(0, text.length), nativeText.asReadOnly());
                enc.write(new Record.Data(65536, text.length), nativeText);
            });
            assertEquals(2, countFlagged(bytes));
            List<Object> got = decodeAll(bytes);
            assertEquals(new Payload(0, text), got.get(1));
            assertEquals(new Payload(65536, text), got.get(2));
        }
    }

    @Test
    void zeroChunksBecomeOneZeroRecordAcrossDataRecords() throws IOException {
        byte[] half = new byte[8192];
        Arrays.fill(half, 0, 4096, (byte) 1);   // chunk 0 data, chunk 1 zero
        byte[] bytes = encode(ExtendedFormat.Options.PLAIN, ID, enc -> {
            data(enc, 0, half);
            data(enc, 8192, new byte[65536]);
            enc.write(new Record.Zero(73728, 4096), MemorySegment.NULL);
            data(enc, 77824, new byte[100]);    // a partial chunk of zeros counts too
        });
        List<Object> got = decodeAll(bytes);
        assertEquals(new Payload(0, Arrays.copyOf(half, 4096)), got.get(1));
        assertEquals(new Record.Zero(4096, 77824 + 100 - 4096), got.get(2));
        assertInstanceOf(Record.End.class, got.get(3));
        assertEquals(4, got.size());
    }

    @Test
    void zeroDetectionFollowsTheChunkSizeAndCanBeTurnedOff() throws IOException {
        byte[] b = new byte[65536 * 2];
        b[65536 + 5] = 1;                        // first 64 KiB chunk zero, second not
        Arrays.fill(b, 0, 4096, (byte) 0);
        StreamIdentity thinLike = XForge.classicIdentityValue(UUID.randomUUID(), DEVICE, 65536);
        List<Object> got = decodeAll(encode(ExtendedFormat.Options.PLAIN, thinLike, enc -> data(enc, 0, b)));
        assertEquals(new Record.Zero(0, 65536), got.get(1));
        assertEquals(new Payload(65536, Arrays.copyOfRange(b, 65536, b.length)), got.get(2));
        got = decodeAll(encode(new ExtendedFormat.Options(0, 0, false), thinLike, enc -> data(enc, 0, b)));
        assertEquals(new Payload(0, b), got.get(1));
    }

    @Test
    void identityRoundTripsWithEveryField() throws IOException {
        SnapshotIdentity src = SnapshotIdentity.thin("vg/thin-snap2", "lvuuid-2", "lvuuid-origin", "pooluuid", 7, 42);
        SnapshotIdentity base = new SnapshotIdentity(SnapshotIdentity.Kind.THIN, Optional.of("vg/thin-snap1"),
                Optional.of("lvuuid-1"), Optional.empty(), Optional.of("pooluuid"), OptionalLong.of(6),
                OptionalLong.empty());
        StreamIdentity id = new StreamIdentity(UUID.randomUUID(), 1L << 40, 65536, src, Optional.of(base));
        byte[] bytes = encode(ExtendedFormat.Options.PLAIN, id, enc -> { });
        assertEquals(new Record.Header(id), decodeAll(bytes).get(0));
    }

    /**
     * A whole-device stream says so in its header (field 0x0005, empty), covered by the
     * payload CRC like every other header byte; a stream without the field (as every one
     * written before it existed) reads as no whole-device copy.
     */
    @Test
    void theWholeDeviceMarkerRoundTripsAndItsAbsenceReadsAsBefore() throws IOException {
        SnapshotIdentity src = SnapshotIdentity.thin("vg/thin-snap2", "lvuuid-2", "lvuuid-origin", "pooluuid", 7, 42);
        StreamIdentity whole = StreamIdentity.wholeDevice(UUID.randomUUID(), 1L << 40, 65536, src);
        byte[] bytes = encode(ExtendedFormat.Options.PLAIN, whole, enc -> { });
        Record.Header got = (Record.Header) decodeAll(bytes).get(0);
        assertEquals(new Record.Header(whole), got);
        assertTrue(got.identity().wholeDevice());
        StreamIdentity changes = new StreamIdentity(whole.streamId(), 1L << 40, 65536, src, Optional.empty());
        byte[] plain = encode(ExtendedFormat.Options.PLAIN, changes, enc -> { });
        assertEquals(bytes.length - 4, plain.length, "the marker costs its 4-byte tag and length, nothing more");
        assertFalse(((Record.Header) decodeAll(plain).get(0)).identity().wholeDevice());
        assertThrows(IllegalArgumentException.class, () -> new StreamIdentity(UUID.randomUUID(), 1L << 40, 65536, src,
                Optional.of(src), Optional.empty(), true), "a whole-device stream has no base");
    }

    @Test
    void payloadComesInPiecesOfTheCallersSize() throws IOException {
        byte[] big = compressible(new Random(5), 1 << 20);
        byte[] bytes = encode(ExtendedFormat.Options.zstd(1, 0), ID, enc -> data(enc, 0, big));
        try (StreamDecoder dec = decoder(bytes)) {
            dec.next();
            assertEquals(new Record.Data(0, big.length), dec.next());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            MemorySegment piece = MemorySegment.ofArray(new byte[4000]);
            long n;
            while ((n = dec.readPayload(piece)) > 0) {
                got.writeBytes(piece.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
            assertArrayEquals(big, got.toByteArray());
            assertInstanceOf(Record.End.class, dec.next());   // an unread payload would be skipped likewise
            assertNull(dec.next());
            assertNull(dec.next());
        }
    }

    @Test
    void theEncoderRefusesWhatTheFormatCannotCarry() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StreamEncoder enc = ExtendedFormat.V1.encoder(Channels.newChannel(out))) {
            enc.writeHandshake();
            MemorySegment one = MemorySegment.ofArray(new byte[] {1});
            assertThrows(IllegalStateException.class, () -> enc.write(new Record.Data(0, 1), one));
            assertThrows(IllegalStateException.class, enc::finish);
            enc.write(new Record.Header(ID), MemorySegment.NULL);
            assertThrows(IllegalStateException.class, () -> enc.write(new Record.Header(ID), MemorySegment.NULL));
            enc.write(new Record.Data(4096, 1), one);
            assertThrows(IllegalArgumentException.class, () -> enc.write(new Record.Data(4096, 1), one));
            assertThrows(IllegalArgumentException.class, () -> enc.write(new Record.Zero(0, 10), MemorySegment.NULL));
            assertThrows(IllegalArgumentException.class,
                    () -> enc.write(new Record.Discard(DEVICE - 1, 2), MemorySegment.NULL));
            assertThrows(IllegalArgumentException.class, () -> enc.write(new Record.Data(8192, (1 << 20) + 1),
                    MemorySegment.ofArray(new byte[(1 << 20) + 1])));
            assertThrows(IllegalArgumentException.class, () -> enc.write(new Record.Data(8192, 2), one));
            assertThrows(IllegalArgumentException.class, () -> enc.write(new Record.End(0, 0, 0, 0, 0,
                    new StreamDigest(new byte[32])), MemorySegment.NULL));
            enc.write(new Record.Data(8192, 1), one);   // refusals wrote nothing
            enc.finish();
            assertThrows(IllegalStateException.class, () -> enc.write(new Record.Data(9000, 1), one));
        }
        List<Object> got = decodeAll(out.toByteArray());
        assertEquals(List.of(new Record.Header(ID), new Payload(4096, new byte[] {1}), new Payload(8192, new byte[] {1})),
                got.subList(0, 3));
        assertEquals(4, got.size());
    }

    @Test
    void classicEncodersWriteZerosAsDataAndDropTheHeader() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StreamEncoder enc = ClassicFormat.PROTO3.encoder(Channels.newChannel(out))) {
            enc.writeHandshake();
            enc.write(new Record.Header(ID), MemorySegment.NULL);
            enc.write(new Record.Zero(4096, (1 << 20) + 512), MemorySegment.NULL);
            enc.write(new Record.Discard(3 << 20, 4096), MemorySegment.NULL);
            assertThrows(IllegalArgumentException.class, () -> enc.write(new Record.End(0, 0, 0, 0, 0,
                    new StreamDigest(new byte[32])), MemorySegment.NULL));
            enc.finish();
        }
        byte[] expected = CodecTest.handAssembled("lvmsync PROTO[3]", new long[] {4096, 4096 + (1 << 20), 3 << 20},
                new byte[][] {new byte[1 << 20], new byte[512], new byte[4096]});
        assertArrayEquals(expected, out.toByteArray());
    }

    @Test
    void closingFreesBuffersAndWorkers() throws IOException {
        StreamEncoder enc = ExtendedFormat.V1.encoder(Channels.newChannel(new ByteArrayOutputStream()),
                ExtendedFormat.Options.zstd(3, 2));
        enc.writeHandshake();
        enc.write(new Record.Header(ID), MemorySegment.NULL);
        data(enc, 0, compressible(new Random(1), 1 << 16));
        enc.close();
        enc.close();
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("lvmsync-zstd")
                && t.isAlive() && t.getState() != Thread.State.TERMINATED), "no compression thread left");
        StreamDecoder dec = decoder(exampleForged().bytes());
        dec.close();
        dec.close();
    }
}
