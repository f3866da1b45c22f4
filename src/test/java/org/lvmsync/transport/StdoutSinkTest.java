package org.lvmsync.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.lvmsync.os.Fd;
import org.lvmsync.os.Pipe;

/** StdoutSink's bytes, read back from a pipe standing in for file descriptor 1. */
class StdoutSinkTest {
    @Test
    void nativeAndHeapRecordsArriveInTheOriginalsLayoutAndTheDescriptorStaysOpen() throws Exception {
        try (Pipe pipe = Pipe.open(); Arena arena = Arena.ofConfined()) {
            CompletableFuture<byte[]> drained = CompletableFuture.supplyAsync(() -> drain(pipe.readEnd()));
            MemorySegment big = arena.allocate(1 << 20, 4096);
            for (long i = 0; i < big.byteSize(); i += 8) {
                big.set(JAVA_LONG_UNALIGNED, i, i * 31);
            }
            try (StdoutSink sink = new StdoutSink(pipe.writeEnd())) {
                sink.data(4096, MemorySegment.ofArray(new byte[] {5, 6, 7}));
                sink.data(1L << 30, big);
                sink.data(12288, big.asSlice(8, 4096));
                sink.finish();
            }
            assertTrue(pipe.writeEnd().isOpen(), "stdout is not the sink's to close");
            pipe.writeEnd().close();

            ByteBuffer expected = ByteBuffer.allocate(17 + 15 + 12 + (1 << 20) + 12 + 4096);
            expected.put("lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII));
            expected.putLong(4096).putInt(3).put(new byte[] {5, 6, 7});
            expected.putLong(1L << 30).putInt(1 << 20).put(big.toArray(JAVA_BYTE));
            expected.putLong(12288).putInt(4096).put(big.asSlice(8, 4096).toArray(JAVA_BYTE));
            assertArrayEquals(expected.array(), drained.get());
        }
    }

    private static byte[] drain(Fd in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(64 * 1024);
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer.asSlice(0, n).toArray(JAVA_BYTE));
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
        return out.toByteArray();
    }
}
