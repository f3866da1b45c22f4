package org.lvmsync.job;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.apply.DestinationCheck;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FdChannel;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamDecoder;
import org.lvmsync.stream.StreamFormats;

/**
 * {@code lvmsync --verify <file|-> <destination>}: does the destination hold what the
 * change stream says, byte for byte? Nothing is written. Any format is read (the bytes of
 * every data record are compared, so the original's streams can be checked too); zero and
 * discard records must read back as zeros. A stream that is damaged or cut short fails as
 * it does for --apply, since then it cannot say what the destination should hold.
 *
 * <p>The first difference ends the check, naming the byte and the record. Records of a
 * stream are compared one by one, so where two records of a hand-made classic stream
 * overlap, the earlier one reads back as different (our senders never overlap records).
 */
public final class VerifyJob {
    private static final long PIECE = 4L << 20;

    private VerifyJob() {
    }

    public static void run(String input, Path destination) throws IOException {
        boolean stdin = ApplyRequest.STDIN.equals(input);
        String source = stdin ? "stdin" : input;
        long start = System.nanoTime();
        long records = 0;
        long bytes = 0;
        try (Fd in = stdin ? Fd.stdin() : Fd.open(Path.of(input), Fd.O_RDONLY);
             StreamDecoder decoder = StreamFormats.open(new FdChannel(in), source);
             DestinationCheck check = DestinationCheck.open(destination);
             Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = AlignedBuffer.allocate(arena, PIECE);
            Record r;
            while ((r = decoder.next()) != null) {
                long differs = switch (r) {
                    case Record.Data d -> compareData(decoder, check, buffer, d);
                    case Record.Zero z -> check.firstNonZero(z.offset(), z.length());
                    case Record.Discard d -> check.firstNonZero(d.offset(), d.length());
                    case Record.Header h -> -1;
                    case Record.End e -> -1;
                };
                if (differs >= 0) {
                    Record.Extent x = (Record.Extent) r;
                    throw new LvmsyncException(FailureClass.VERIFY_MISMATCH, destination + " differs from change stream "
                            + source + " at byte " + differs + ", in record " + (decoder.recordIndex() + 1) + " at stream"
                            + " byte " + decoder.recordStreamOffset() + " (bytes [" + x.offset() + ", " + x.end()
                            + ")); the stream was not applied there, or something changed the destination since");
                }
                if (r instanceof Record.Extent x) {
                    records++;
                    bytes += x.length();
                }
            }
        }
        Log.info(String.format("Verified %d record%s (%d bytes) of %s against %s in %.2f seconds: the same", records,
                records == 1 ? "" : "s", bytes, source, destination, (System.nanoTime() - start) / 1e9));
    }

    private static long compareData(StreamDecoder decoder, DestinationCheck check, MemorySegment buffer,
                                    Record.Data d) throws IOException {
        for (long done = 0; done < d.length(); ) {
            long n = decoder.readPayload(buffer.asSlice(0, Math.min(buffer.byteSize(), d.length() - done)));
            long m = check.firstDifference(d.offset() + done, buffer.asSlice(0, n));
            if (m >= 0) {
                return m;
            }
            done += n;
        }
        return -1;
    }
}
