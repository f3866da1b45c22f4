package org.lvmsync.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodecTest {
    /** Bytes written by hand, independent of the encoder: the oracle for both directions. */
    static byte[] handAssembled(String handshake, long[] offsets, byte[][] payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((handshake + "\n").getBytes(StandardCharsets.US_ASCII));
        for (int r = 0; r < offsets.length; r++) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (offsets[r] >>> shift));
            }
            int len = payloads[r].length;
            out.write(len >>> 24);
            out.write(len >>> 16);
            out.write(len >>> 8);
            out.write(len);
            out.writeBytes(payloads[r]);
        }
        return out.toByteArray();
    }

    static final long[] OFFSETS = {0x0102030405060708L, 0, 4096};
    static final byte[][] PAYLOADS = {"abc".getBytes(StandardCharsets.US_ASCII), new byte[] {0, (byte) 0xff}, fill(4096, 7)};

    static byte[] fill(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static StreamDecoder decoder(byte[] bytes) throws IOException {
        return StreamFormats.open(Channels.newChannel(new ByteArrayInputStream(bytes)), "test");
    }

    static byte[] encode(ClassicFormat format, long[] offsets, byte[][] payloads) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamEncoder enc = format.encoder(Channels.newChannel(out));
        enc.writeHandshake();
        for (int r = 0; r < offsets.length; r++) {
            enc.write(new Record.Data(offsets[r], payloads[r].length), MemorySegment.ofArray(payloads[r]));
        }
        enc.finish();
        assertEquals(out.size(), enc.position());
        return out.toByteArray();
    }

    @Test
    void encoderWritesExactlyTheOriginalsBytes() throws IOException {
        byte[] expected = handAssembled("lvmsync PROTO[3]", OFFSETS, PAYLOADS);
        assertArrayEquals(expected, encode(ClassicFormat.PROTO3, OFFSETS, PAYLOADS));
        // spot-check the layout itself, not only agreement with the helper
        assertEquals("lvmsync PROTO[3]\n", new String(expected, 0, 17, StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 3, 'a', 'b', 'c'},
                Arrays.copyOfRange(expected, 17, 32));
    }

    @Test
    void decoderReadsHandAssembledStream() throws IOException {
        StreamDecoder dec = decoder(handAssembled("lvmsync PROTO[3]", OFFSETS, PAYLOADS));
        assertSame(ClassicFormat.PROTO3, dec.format());
        long streamPos = 17;
        for (int r = 0; r < OFFSETS.length; r++) {
            Record.Data h = (Record.Data) dec.next();
            assertEquals(new Record.Data(OFFSETS[r], PAYLOADS[r].length), h);
            assertEquals(r, dec.recordIndex());
            assertEquals(streamPos, dec.recordStreamOffset());
            byte[] got = new byte[PAYLOADS[r].length];
            assertEquals(got.length, dec.readPayload(MemorySegment.ofArray(got)));
            assertArrayEquals(PAYLOADS[r], got);
            assertEquals(0, dec.payloadRemaining());
            streamPos += 12 + got.length;
        }
        assertNull(dec.next());
        assertNull(dec.next());
    }

    @Test
    void proto2IsAcceptedWithTheSameRecords() throws IOException {
        byte[] bytes = handAssembled("lvmsync PROTO[2]", OFFSETS, PAYLOADS);
        assertArrayEquals(bytes, encode(ClassicFormat.PROTO2, OFFSETS, PAYLOADS));
        StreamDecoder dec = decoder(bytes);
        assertSame(ClassicFormat.PROTO2, dec.format());
        assertEquals(OFFSETS[0], ((Record.Data) dec.next()).offset());
    }

    @Test
    void payloadComesInPiecesOfTheCallersSize() throws IOException {
        byte[] big = fill(1_000_003, 3);
        StreamDecoder dec = decoder(handAssembled("lvmsync PROTO[3]", new long[] {512}, new byte[][] {big}));
        Record.Data h = (Record.Data) dec.next();
        assertEquals(big.length, h.length());
        byte[] got = new byte[big.length];
        MemorySegment piece = MemorySegment.ofArray(new byte[4000]);
        int at = 0;
        long n;
        while ((n = dec.readPayload(piece)) > 0) {
            MemorySegment.copy(piece, 0, MemorySegment.ofArray(got), at, n);
            at += (int) n;
        }
        assertEquals(big.length, at);
        assertArrayEquals(big, got);
        assertNull(dec.next());
    }

    @Test
    void unreadPayloadIsSkipped() throws IOException {
        StreamDecoder dec = decoder(handAssembled("lvmsync PROTO[3]", OFFSETS, PAYLOADS));
        dec.next();
        dec.next();
        Record.Data third = (Record.Data) dec.next();
        assertEquals(4096, third.offset());
        assertNull(dec.next());
    }

    @Test
    void largeRecordsRoundTripThroughEncoderAndDecoder() throws IOException {
        long[] offsets = {1L << 40, 7, 1 << 20};
        byte[][] payloads = {fill(ClassicEncoder.BUFFER_SIZE + 5, 1), fill(1, 2), fill(3 * StreamInput.BUFFER_SIZE, 3)};
        byte[] bytes = encode(ClassicFormat.PROTO3, offsets, payloads);
        assertArrayEquals(handAssembled("lvmsync PROTO[3]", offsets, payloads), bytes);
        StreamDecoder dec = decoder(bytes);
        for (int r = 0; r < offsets.length; r++) {
            Record.Data h = (Record.Data) dec.next();
            assertEquals(offsets[r], h.offset());
            byte[] got = new byte[(int) h.length()];
            dec.readPayload(MemorySegment.ofArray(got));
            assertArrayEquals(payloads[r], got);
        }
        assertNull(dec.next());
    }

    @Test
    void handshakeAloneIsAnEmptyStream() throws IOException {
        assertNull(decoder("lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII)).next());
    }

    @Test
    void everyTruncationPointIsRejectedOrIsARecordBoundary() throws IOException {
        byte[] full = handAssembled("lvmsync PROTO[3]", OFFSETS, PAYLOADS);
        // boundaries: after the handshake and after each record; the classic format
        // cannot tell a stream cut there from a complete one (no end record)
        long[] boundaries = {17, 17 + 12 + 3, 17 + 12 + 3 + 12 + 2, full.length};
        for (int cut = 0; cut < full.length; cut++) {
            byte[] part = Arrays.copyOf(full, cut);
            int c = cut;
            if (Arrays.stream(boundaries).anyMatch(b -> b == c)) {
                assertEquals(countRecords(part), Arrays.stream(boundaries).filter(b -> b <= c).count() - 1);
                continue;
            }
            CorruptStreamException e = assertThrows(CorruptStreamException.class, () -> countRecords(part),
                    "cut at " + cut);
            String m = e.getMessage();
            if (cut < 17) {
                assertTrue(m.contains("handshake at stream byte 0"), m);
                assertTrue(m.contains(cut == 0 ? "the stream is empty" : "the stream ends inside its handshake line"), m);
            } else {
                int record = recordAt(boundaries, cut);
                long start = boundaries[record];
                assertTrue(m.startsWith("corrupt change stream test: record " + (record + 1)
                        + " at stream byte " + start + ": "), m);
                if (cut < start + 12) {
                    assertTrue(m.endsWith("header cut short: the stream ends after " + (cut - start)
                            + " of 12 header bytes"), m);
                } else {
                    assertTrue(m.endsWith("payload cut short: the stream ends at byte " + cut + " after "
                            + (cut - start - 12) + " of " + PAYLOADS[record].length + " payload bytes"), m);
                }
                assertEquals(start, e.streamOffset());
                assertEquals(record, e.recordIndex());
            }
        }
    }

    private static int recordAt(long[] boundaries, int cut) {
        int r = 0;
        while (boundaries[r + 1] <= cut) {
            r++;
        }
        return r;
    }

    private static long countRecords(byte[] bytes) throws IOException {
        try (StreamDecoder dec = decoder(bytes)) {   // closed: each decoder owns a native read buffer
            long n = 0;
            MemorySegment sink = MemorySegment.ofArray(new byte[100]);
            while (dec.next() != null) {
                while (dec.readPayload(sink) > 0) {
                    // drain
                }
                n++;
            }
            return n;
        }
    }

    private static byte[] header(long offset, long length) {
        byte[] h = new byte[12];
        for (int i = 0; i < 8; i++) {
            h[i] = (byte) (offset >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            h[8 + i] = (byte) (length >>> (24 - 8 * i));
        }
        return h;
    }

    private static String errorFor(long offset, long length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(handAssembled("lvmsync PROTO[3]", new long[] {0}, new byte[][] {{1}}));
        out.writeBytes(header(offset, length));
        out.writeBytes(new byte[16]);
        return assertThrows(CorruptStreamException.class, () -> countRecords(out.toByteArray())).getMessage();
    }

    @Test
    void badHeadersAreNamed() {
        String prefix = "corrupt change stream test: record 2 at stream byte 30: ";
        assertEquals(prefix + "zero-length record (offset 4096)", errorFor(4096, 0));
        assertEquals(prefix + "record length 67108865 exceeds the limit of 67108864 bytes (64 MiB)",
                errorFor(0, (64 << 20) + 1));
        assertEquals(prefix + "record length 4294967295 exceeds the limit of 67108864 bytes (64 MiB)",
                errorFor(0, 0xffffffffL));
        assertEquals(prefix + "offset 18446744073709551615 is beyond 2^63", errorFor(-1, 16));
        assertEquals(prefix + "offset 9223372036854775800 + length 16 overflows 2^63",
                errorFor(Long.MAX_VALUE - 7, 16));
    }

    @Test
    void exactlyTheBoundIsAccepted() throws IOException {
        byte[] prefix = "lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = Arrays.copyOf(prefix, prefix.length + 12);
        System.arraycopy(header(Long.MAX_VALUE - (64 << 20), 64 << 20), 0, bytes, prefix.length, 12);
        Record.Data h = (Record.Data) decoder(bytes).next();
        assertEquals(Long.MAX_VALUE, h.end());
    }

    @Test
    void unknownHandshakeSaysWhatIsUnderstood() {
        String m = assertThrows(CorruptStreamException.class,
                () -> decoder("lvmsync PROTO[4]\nxyz".getBytes(StandardCharsets.US_ASCII))).getMessage();
        assertEquals("corrupt change stream test: handshake at stream byte 0: unknown handshake \"lvmsync PROTO[4]\"; "
                + "this lvmsync understands \"lvmsync XPROTO[1]\", \"lvmsync PROTO[3]\", \"lvmsync PROTO[2]\" "
                + "(headerless PROTO[2] snapback files of lvmsync 1.0.0 cannot be applied safely)", m);
        // a headerless PROTO[2] snapback file starts with a binary header
        byte[] headerless = handAssembled("", new long[] {4096}, new byte[][] {{1, 2}});
        m = assertThrows(CorruptStreamException.class,
                () -> decoder(Arrays.copyOfRange(headerless, 1, headerless.length))).getMessage();
        assertTrue(m.contains("unknown handshake \"\\x00\\x00\\x00\\x00\\x00\\x00\\x10\\x00"), m);
    }

    @Test
    void encoderRefusesWhatTheDecoderWouldRefuse() throws IOException {
        StreamEncoder enc = ClassicFormat.PROTO3.encoder(Channels.newChannel(new ByteArrayOutputStream()));
        enc.writeHandshake();
        // records that the decoder would refuse cannot even be made
        assertThrows(IllegalArgumentException.class, () -> new Record.Data(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Record.Data(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Record.Data(Long.MAX_VALUE, 1));
        // and the encoder refuses what the format cannot carry or a payload that does not match
        long tooLong = ClassicFormat.MAX_RECORD_LENGTH + 1;
        assertThrows(IllegalArgumentException.class,
                () -> enc.write(new Record.Data(0, tooLong), MemorySegment.ofArray(new byte[(int) tooLong])));
        assertThrows(IllegalArgumentException.class,
                () -> enc.write(new Record.Data(0, 2), MemorySegment.ofArray(new byte[1])));
        assertThrows(IllegalStateException.class, enc::writeHandshake);
        assertEquals(ClassicFormat.MAX_RECORD_LENGTH, enc.maxRecordLength());
    }

    @Test
    void anEncoderWhoseWriteFailedWritesNothingMore() throws IOException {
        // a channel that takes 5 bytes of the first write, then fails: the stream now ends
        // inside a record, and nothing may be appended to that torn record later
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] writes = {0};
        java.nio.channels.WritableByteChannel failing = new java.nio.channels.WritableByteChannel() {
            @Override
            public int write(java.nio.ByteBuffer src) throws IOException {
                if (writes[0]++ > 0) {
                    throw new IOException("No space left on device (ENOSPC)");
                }
                byte[] some = new byte[5];
                src.get(some);
                out.write(some);
                return 5;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        try (StreamEncoder enc = ClassicFormat.PROTO3.encoder(failing)) {
            enc.writeHandshake();
            enc.write(new Record.Data(0, 3), MemorySegment.ofArray(new byte[] {1, 2, 3}));
            assertThrows(IOException.class, enc::flush);
            IOException again = assertThrows(IOException.class,
                    () -> enc.write(new Record.Data(4096, 1), MemorySegment.ofArray(new byte[] {9})));
            assertTrue(again.getMessage().contains("broken by an earlier failed write"), again.getMessage());
            assertThrows(IOException.class, enc::finish);
        }
        assertEquals(5, out.size(), "only what the channel took before it failed");
    }

    @Test
    void codecBuffersAreNativeMemoryOwnedAndReleasedByClose() throws IOException {
        StreamEncoder enc = ClassicFormat.PROTO3.encoder(Channels.newChannel(new ByteArrayOutputStream()));
        enc.writeHandshake();
        enc.close();
        assertThrows(IllegalStateException.class,
                () -> enc.write(new Record.Data(0, 1), MemorySegment.ofArray(new byte[1])), "buffer freed by close");
        StreamDecoder dec = decoder(handAssembled("lvmsync PROTO[3]", OFFSETS, PAYLOADS));
        dec.close();
        assertThrows(IllegalStateException.class, dec::next, "read-ahead buffer freed by close");
    }
}
