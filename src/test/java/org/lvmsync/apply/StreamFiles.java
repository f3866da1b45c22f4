package org.lvmsync.apply;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.lvmsync.stream.StreamDecoder;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamFormats;

/** Test helpers: change streams as byte arrays and files, and a byte-array model of applying them. */
final class StreamFiles {
    record Rec(long offset, byte[] data) {
    }

    private StreamFiles() {
    }

    static byte[] encode(List<Rec> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StreamEncoder enc = StreamFormats.DEFAULT.encoder(Channels.newChannel(out))) {
            enc.writeHandshake();
            for (Rec r : records) {
                enc.write(new Record.Data(r.offset(), r.data().length), MemorySegment.ofArray(r.data()));
            }
            enc.finish();
        }
        return out.toByteArray();
    }

    static Path write(Path file, List<Rec> records) throws IOException {
        return Files.write(file, encode(records));
    }

    static List<Rec> read(Path file) throws IOException {
        List<Rec> out = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             StreamDecoder dec = StreamFormats.open(ch, file.toString())) {
            Record r;
            while ((r = dec.next()) != null) {
                if (!(r instanceof Record.Data h)) {
                    throw new IOException("test streams hold data records only, not " + r);
                }
                byte[] data = new byte[(int) h.length()];
                dec.readPayload(MemorySegment.ofArray(data));
                out.add(new Rec(h.offset(), data));
            }
        }
        return out;
    }

    /** What applying the records in order does to an image held in memory. */
    static byte[] model(byte[] image, List<Rec> records) {
        byte[] out = image.clone();
        for (Rec r : records) {
            long end = r.offset() + r.data().length;
            if (end > out.length) {
                out = java.util.Arrays.copyOf(out, (int) end);
            }
            System.arraycopy(r.data(), 0, out, (int) r.offset(), r.data().length);
        }
        return out;
    }

    static byte[] random(java.util.Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
