package org.lvmsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.lvmsync.stream.ClassicFormat;
import org.lvmsync.stream.ExtendedFormat;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamIdentity;

/**
 * What the stream benchmarks feed the codecs: a native window of 1 MiB records of either
 * noise ({@code random}, incompressible) or text-like bytes ({@code text}: words from a
 * vocabulary of 4096 random words, with numbers; zstd level 3 packs it to about a third,
 * like ordinary file system content), or a real file's bytes ({@code file:PATH}, e.g. the
 * JDK's {@code lib/modules}), and the codecs by name.
 */
final class StreamData {
    static final long RECORD = 1L << 20;

    private StreamData() {
    }

    static MemorySegment window(Arena arena, String kind, long size) {
        MemorySegment w = arena.allocate(size, 4096);
        Random rnd = new Random(42);
        if (kind.equals("random")) {
            byte[] chunk = new byte[(int) RECORD];
            for (long at = 0; at < size; at += RECORD) {
                rnd.nextBytes(chunk);
                MemorySegment.copy(chunk, 0, w, ValueLayout.JAVA_BYTE, at, chunk.length);
            }
            return w;
        }
        if (kind.startsWith("file:")) {
            return fromFile(w, Path.of(kind.substring(5)));
        }
        if (!kind.equals("text")) {
            throw new IllegalArgumentException("data " + kind + ": random, text or file:PATH");
        }
        String[] words = new String[4096];
        for (int i = 0; i < words.length; i++) {
            StringBuilder sb = new StringBuilder();
            for (int n = 2 + rnd.nextInt(9); n > 0; n--) {
                sb.append((char) ('a' + rnd.nextInt(26)));
            }
            words[i] = sb.toString();
        }
        StringBuilder text = new StringBuilder((int) RECORD + 64);
        for (long at = 0; at < size; at += RECORD) {
            text.setLength(0);
            while (text.length() < RECORD) {
                text.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(12) == 0 ? "\n" : " ");
                if (rnd.nextInt(10) == 0) {
                    text.append(rnd.nextInt(1_000_000)).append(' ');
                }
            }
            byte[] b = text.substring(0, (int) RECORD).getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(b, 0, w, ValueLayout.JAVA_BYTE, at, b.length);
        }
        return w;
    }

    /** The window filled with a real file's bytes, repeated if the file is shorter. */
    private static MemorySegment fromFile(MemorySegment w, Path file) {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            if (size == 0) {
                throw new IllegalArgumentException(file + " is empty");
            }
            for (long at = 0; at < w.byteSize(); ) {
                long n = Math.min(w.byteSize() - at, size - at % size);
                ByteBuffer dst = w.asSlice(at, n).asByteBuffer();
                while (dst.hasRemaining() && ch.read(dst, at % size + dst.position()) > 0) {
                    // fill
                }
                at += n;
            }
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** classic | x-plain | x-zstdL | x-zstdL-wN (extended, zstd level L, N worker threads). */
    static StreamEncoder encoder(String codec, WritableByteChannel out) {
        if (codec.equals("classic")) {
            return ClassicFormat.PROTO3.encoder(out);
        }
        if (codec.equals("x-plain")) {
            return ExtendedFormat.V1.encoder(out, ExtendedFormat.Options.PLAIN);
        }
        if (!codec.startsWith("x-zstd")) {
            throw new IllegalArgumentException("codec " + codec);
        }
        String[] parts = codec.substring("x-zstd".length()).split("-w");
        int level = Integer.parseInt(parts[0]);
        int workers = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return ExtendedFormat.V1.encoder(out, ExtendedFormat.Options.zstd(level, workers));
    }

    /** Writes {@code total} bytes of 1 MiB records cycling through the window, with handshake, header and end. */
    static void encode(String codec, WritableByteChannel out, MemorySegment window, long total) throws IOException {
        try (StreamEncoder enc = encoder(codec, out)) {
            enc.writeHandshake();
            enc.write(new Record.Header(StreamIdentity.fresh(total, 4096,
                    SnapshotIdentity.classic("bench/snap", "snap-uuid", "origin-uuid"), java.util.Optional.empty())),
                    MemorySegment.NULL);
            for (long at = 0; at < total; at += RECORD) {
                enc.write(new Record.Data(at, RECORD), window.asSlice(at % window.byteSize(), RECORD));
            }
            enc.finish();
        }
    }

    /** Swallows bytes, counting them. */
    static final class Counting implements WritableByteChannel {
        long bytes;

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            bytes += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Reads a stream held in memory, in reads of at most 256 KiB like a pipe would give. */
    static final class SegmentChannel implements ReadableByteChannel {
        private final MemorySegment bytes;
        private long at;

        SegmentChannel(MemorySegment bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (at == bytes.byteSize()) {
                return -1;
            }
            int n = (int) Math.min(Math.min(dst.remaining(), 256 * 1024), bytes.byteSize() - at);
            MemorySegment.copy(bytes, at, MemorySegment.ofBuffer(dst), 0, n);
            dst.position(dst.position() + n);
            at += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
