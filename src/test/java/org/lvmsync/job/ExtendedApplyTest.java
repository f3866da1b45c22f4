package org.lvmsync.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.LvmsyncException;
import org.lvmsync.stream.CorruptStreamException;
import org.lvmsync.stream.ExtendedFormat;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamIdentity;

/**
 * --apply recognises an extended stream by its handshake. Until the extended receiver
 * lands, data records are applied, the header and the checked end record pass, and zero
 * and discard records are refused with one line.
 */
class ExtendedApplyTest {
    @TempDir
    Path dir;

    static final StreamIdentity ID = new StreamIdentity(UUID.randomUUID(), 1 << 20, 4096,
            SnapshotIdentity.classic("vg/lv-snap", "snap-uuid", "origin-uuid"), Optional.empty());

    interface Body {
        void write(StreamEncoder enc) throws IOException;
    }

    Path stream(ExtendedFormat.Options options, Body body) throws IOException {
        Path file = dir.resolve("changes.xs");
        try (OutputStream out = Files.newOutputStream(file);
             StreamEncoder enc = ExtendedFormat.V1.encoder(Channels.newChannel(out), options)) {
            enc.writeHandshake();
            enc.write(new Record.Header(ID), MemorySegment.NULL);
            body.write(enc);
            enc.finish();
        }
        return file;
    }

    static byte[] random(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Where the record after the stream header starts: the handshake, 40 bytes of header, its payload. */
    static int afterHeader(byte[] stream) {
        return 18 + 40 + java.nio.ByteBuffer.wrap(stream).getInt(18 + 4);
    }

    void apply(Path stream, Path image) throws IOException {
        ApplyJob.run(new ApplyRequest(stream.toString(), image, Optional.empty(), false));
    }

    @Test
    void dataRecordsOfAnExtendedStreamAreApplied() throws IOException {
        byte[] a = random(4096, 1);
        byte[] b = "text text text text text text text text text text text text".repeat(100).getBytes();
        Path s = stream(ExtendedFormat.Options.zstd(3, 0), enc -> {
            enc.write(new Record.Data(4096, a.length), MemorySegment.ofArray(a));
            enc.write(new Record.Data(65536, b.length), MemorySegment.ofArray(b));
        });
        Path image = Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
        apply(s, image);
        byte[] expected = new byte[1 << 20];
        System.arraycopy(a, 0, expected, 4096, a.length);
        System.arraycopy(b, 0, expected, 65536, b.length);
        assertArrayEquals(expected, Files.readAllBytes(image));
    }

    @Test
    void zeroRecordsAreRefusedForNow() throws IOException {
        Path s = stream(ExtendedFormat.Options.PLAIN, enc -> enc.write(new Record.Zero(0, 8192), MemorySegment.NULL));
        Path image = Files.write(dir.resolve("disk.img"), random(1 << 20, 2));
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> apply(s, image));
        assertEquals("change stream " + s + ", record 2 at stream byte " + afterHeader(Files.readAllBytes(s))
                + ": this lvmsync cannot apply"
                + " Zero[offset=0, length=8192] yet (zero and discard records); nothing of it was written", e.getMessage());
        assertArrayEquals(random(1 << 20, 2), Files.readAllBytes(image));
    }

    @Test
    void nothingIsWrittenFromTheFirstDamagedRecordOn() throws IOException {
        byte[] a = random(4096, 3);
        Path s = stream(ExtendedFormat.Options.PLAIN, enc -> {
            enc.write(new Record.Data(0, a.length), MemorySegment.ofArray(a));
            enc.write(new Record.Data(8192, a.length), MemorySegment.ofArray(a));
        });
        byte[] bytes = Files.readAllBytes(s);
        int second = afterHeader(bytes) + 40 + 4096;   // after the header record and the first data record
        bytes[second + 40 + 100] ^= 1;            // inside the second record's payload
        Files.write(s, bytes);
        Path image = Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
        CorruptStreamException e = assertThrows(CorruptStreamException.class, () -> apply(s, image));
        assertEquals(2, e.recordIndex());
        byte[] got = Files.readAllBytes(image);
        assertArrayEquals(a, Arrays.copyOfRange(got, 0, 4096), "the record before the damage is written");
        assertArrayEquals(new byte[4096], Arrays.copyOfRange(got, 8192, 12288), "nothing of the damaged one");
    }
}
