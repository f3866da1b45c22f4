package org.lvmsync.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamSinkTest {
    @Test
    void writesTheOriginalsProto3Layout() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StreamSink sink = new StreamSink(Channels.newChannel(out), true)) {
            sink.data(0x0102030405L, MemorySegment.ofArray(new byte[] {9, 8, 7}));
            sink.data(4096, MemorySegment.ofArray(new byte[] {1}));
            sink.finish();
            assertEquals(2, sink.records());
            assertEquals(4, sink.dataBytes());
        }
        // assembled by hand: handshake, then u64 BE offset, u32 BE length, data
        ByteBuffer expected = ByteBuffer.allocate(17 + 12 + 3 + 12 + 1);
        expected.put("lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII));
        expected.put(new byte[] {0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0, 3, 9, 8, 7});
        expected.put(new byte[] {0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 1, 1});
        assertArrayEquals(expected.array(), out.toByteArray());
    }

    @Test
    void emptyStreamIsJustTheHandshake() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StreamSink sink = new StreamSink(Channels.newChannel(out), true)) {
            sink.finish();
        }
        assertEquals("lvmsync PROTO[3]\n", out.toString(StandardCharsets.US_ASCII));
    }
}
