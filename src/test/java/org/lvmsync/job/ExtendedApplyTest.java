package org.lvmsync.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.lvmsync.FailureClass;
import org.lvmsync.stream.CorruptStreamException;
import org.lvmsync.stream.ExtendedFormat;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.SnapshotIdentity;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.stream.TruncatedStreamException;

/**
 * --apply recognises an extended stream by its handshake: data records are applied, zero
 * and discard records read back as zeros (with their pre-images in the snapback file), a
 * damaged record stops the run with nothing of it written, and a stream without its end
 * record is reported as cut short (its own failure class).
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
    void zeroAndDiscardRecordsReadBackAsZerosAndTheSnapbackFileRestores() throws IOException {
        byte[] a = random(4096, 5);
        Path s = stream(ExtendedFormat.Options.PLAIN, enc -> {
            enc.write(new Record.Data(0, a.length), MemorySegment.ofArray(a));
            enc.write(new Record.Zero(8192, 3 * 4096 + 100), MemorySegment.NULL);   // ends off a block
            enc.write(new Record.Discard(65536, 65536), MemorySegment.NULL);
            enc.write(new Record.Zero(200_000, 5), MemorySegment.NULL);             // inside one block
        });
        byte[] before = random(1 << 20, 2);
        Path image = Files.write(dir.resolve("disk.img"), before);
        Path undo = dir.resolve("undo");
        ApplyJob.run(new ApplyRequest(s.toString(), image, Optional.of(undo), false));
        byte[] expected = before.clone();
        System.arraycopy(a, 0, expected, 0, a.length);
        Arrays.fill(expected, 8192, 8192 + 3 * 4096 + 100, (byte) 0);
        Arrays.fill(expected, 65536, 131072, (byte) 0);
        Arrays.fill(expected, 200_000, 200_005, (byte) 0);
        assertArrayEquals(expected, Files.readAllBytes(image));
        ApplyJob.run(new ApplyRequest(undo.toString(), image, Optional.empty(), false));
        assertArrayEquals(before, Files.readAllBytes(image));
    }

    @Test
    void aStreamWithoutItsEndRecordIsCutShortWithTheRecordsBeforeIt() throws IOException {
        byte[] a = random(4096, 6);
        Path s = stream(ExtendedFormat.Options.PLAIN, enc -> enc.write(new Record.Data(0, a.length),
                MemorySegment.ofArray(a)));
        byte[] bytes = Files.readAllBytes(s);
        Files.write(s, Arrays.copyOf(bytes, bytes.length - 40 - ExtendedFormat.END_PAYLOAD));   // no end record
        Path image = Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
        Path undo = dir.resolve("undo");
        TruncatedStreamException e = assertThrows(TruncatedStreamException.class,
                () -> ApplyJob.run(new ApplyRequest(s.toString(), image, Optional.of(undo), false)));
        assertEquals(FailureClass.TRUNCATED, e.failureClass());
        assertEquals("corrupt change stream " + s + ": record 3 at stream byte " + (afterHeader(bytes) + 40 + 4096)
                + ": the stream ends here without its end record: it is cut short after 2 records; 1 record before it"
                + " was applied to " + image + " (lvmsync --apply " + undo + " " + image + " rolls it back); the whole"
                + " stream sent again completes it", e.getMessage());
        assertArrayEquals(a, Arrays.copyOf(Files.readAllBytes(image), 4096));
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
        assertEquals(FailureClass.BAD_INPUT, e.failureClass());
        assertTrue(e.getMessage().endsWith("; 1 record before it was applied to " + image), e.getMessage());
        byte[] got = Files.readAllBytes(image);
        assertArrayEquals(a, Arrays.copyOfRange(got, 0, 4096), "the record before the damage is written");
        assertArrayEquals(new byte[4096], Arrays.copyOfRange(got, 8192, 12288), "nothing of the damaged one");
    }
}
