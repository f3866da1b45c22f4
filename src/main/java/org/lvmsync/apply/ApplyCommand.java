package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.lvmsync.ExitCode;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FdChannel;
import org.lvmsync.os.FileStat;
import org.lvmsync.stream.ClassicFormat;
import org.lvmsync.stream.RecordHeader;
import org.lvmsync.stream.StreamDecoder;
import org.lvmsync.stream.StreamFormats;
import org.lvmsync.sync.Progress;

/**
 * {@code lvmsync --apply <file|-> <destination>}: decodes a change stream and feeds it to an
 * {@link Applier}.
 *
 * <p>A record's payload is read whole (up to {@link Applier#STAGING_BYTES}) before it is
 * staged, so a stream cut inside such a record writes nothing of it. When the stream turns
 * out corrupt, or a record does not fit, every record before it is written (covered by the
 * snapback file) and the run fails.
 */
public final class ApplyCommand {
    private ApplyCommand() {
    }

    public static ExitCode run(ApplyRequest request) throws IOException {
        apply(request);
        return ExitCode.OK;
    }

    private static void apply(ApplyRequest request) throws IOException {
        if (request.fromStdin() && Fd.stdin().isTerminal()) {
            throw new LvmsyncException(ExitCode.USAGE, "--apply - reads a change stream from stdin, which is a"
                    + " terminal; pipe one in (ssh src lvmsync --stdout SNAP | lvmsync --apply - DEST) or name a file");
        }
        String source = request.fromStdin() ? "stdin" : request.input();
        try (Fd input = request.fromStdin() ? Fd.stdin() : Fd.open(Path.of(request.input()), Fd.O_RDONLY);
             Arena arena = Arena.ofConfined()) {
            StreamDecoder decoder = StreamFormats.open(new FdChannel(input), source);
            try (Applier applier = Applier.open(request.destination(), request.snapback(), request.skipPastEnd())) {
                MemorySegment buffer = AlignedBuffer.allocate(arena, Applier.STAGING_BYTES);
                // a change file's size is known; a stream on stdin shows bytes and rate only
                FileStat st = input.stat();
                Progress progress = Progress.forStderr(st.isRegularFile() ? st.size() : -1);
                try {
                    copyRecords(decoder, applier, buffer, source, progress);
                } catch (IOException | LvmsyncException e) {
                    progress.finish();
                    finishAfter(applier, e);
                    throw e;
                }
                progress.finish();
                applier.finish();
            }
        }
    }

    private static void copyRecords(StreamDecoder decoder, Applier applier, MemorySegment buffer, String source,
                                    Progress progress) throws IOException {
        RecordHeader h;
        long counted = 0;   // stream bytes reported to the progress line so far
        while ((h = decoder.next()) != null) {
            if (admit(applier, h, source)) {   // else next() skips the payload
                long done = 0;
                while (done < h.length()) {
                    long n = decoder.readPayload(buffer.asSlice(0, Math.min(buffer.byteSize(), h.length() - done)));
                    applier.write(h.offset() + done, buffer.asSlice(0, n));
                    done += n;
                }
            }
            long streamEnd = h.streamOffset() + ClassicFormat.HEADER_BYTES + h.length();
            progress.add(streamEnd - counted);
            counted = streamEnd;
        }
    }

    private static boolean admit(Applier applier, RecordHeader h, String source) {
        try {
            return applier.admit(h.offset(), h.length());
        } catch (LvmsyncException e) {
            throw new LvmsyncException(e.exitCode(), "change stream " + source + ", record " + (h.index() + 1)
                    + " at stream byte " + h.streamOffset() + ": " + e.getMessage(), e);
        }
    }

    /** Writes and syncs the records that came before the failure, keeping the first error. */
    private static void finishAfter(Applier applier, Exception failure) {
        try {
            applier.finish();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
