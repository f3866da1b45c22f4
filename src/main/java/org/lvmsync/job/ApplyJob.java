package org.lvmsync.job;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.apply.Applier;
import org.lvmsync.apply.ZeroFill;
import org.lvmsync.discover.BlankThinVolume;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FdChannel;
import org.lvmsync.os.FileStat;
import org.lvmsync.report.Progress;
import org.lvmsync.stream.ClassicFormat;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamDecoder;
import org.lvmsync.stream.StreamFormats;

/**
 * {@code lvmsync --apply <file|-> <destination>}: decodes a change stream and feeds it to an
 * {@link Applier}.
 *
 * <p>A record's payload is read whole (up to {@link Applier#STAGING_BYTES}) before it is
 * staged, so a stream cut inside such a record writes nothing of it. When the stream turns
 * out corrupt or unreadable, or a record does not fit, every record before it is written
 * (covered by the snapback file) and the run fails without the summary of a finished run.
 * When writing itself fails, or the stream is one of lvmsync 3.0.x, nothing more is
 * written (see {@link Applier#finishBeforeFailure()}).
 */
public final class ApplyJob {
    private ApplyJob() {
    }

    public static void run(ApplyRequest request) throws IOException {
        run(request, OptionalLong.empty());
    }

    /**
     * With {@code zeroFillTo} (a remote full copy of a thin snapshot, {@code --zero-fill}):
     * afterwards, what no record covered up to that size reads as zeros ({@link ZeroFill}).
     */
    public static void run(ApplyRequest request, OptionalLong zeroFillTo) throws IOException {
        if (request.fromStdin() && Fd.stdin().isTerminal()) {
            throw new LvmsyncException(FailureClass.USAGE, "--apply - reads a change stream from stdin, which is a"
                    + " terminal; pipe one in (ssh src lvmsync --stdout SNAP | lvmsync --apply - DEST) or name a file");
        }
        String source = request.fromStdin() ? "stdin" : request.input();
        boolean blank = zeroFillTo.isPresent() && BlankThinVolume.readsZeros(request.destination());
        try (Fd input = request.fromStdin() ? Fd.stdin() : Fd.open(Path.of(request.input()), Fd.O_RDONLY);
             StreamDecoder decoder = StreamFormats.open(new FdChannel(input), source);
             Applier applier = Applier.open(request.destination(), request.snapback(), request.skipPastEnd());
             Arena arena = Arena.ofConfined();
             // without --zero-fill: nothing to fill (size 0)
             ZeroFill fill = new ZeroFill(zeroFillTo.orElse(0), blank || zeroFillTo.isEmpty(), zerosOnto(applier))) {
            if (decoder.format() instanceof ClassicFormat) {
                applier.suspectLittleEndianOffsets();
            }
            MemorySegment buffer = AlignedBuffer.allocate(arena, Applier.STAGING_BYTES);
            // a change file's size is known; a stream on stdin shows bytes and rate only
            FileStat st = input.stat();
            Progress progress = Progress.forStderr(st.isRegularFile() ? st.size() : -1);
            try {
                copyRecords(decoder, applier, buffer, source, progress, fill);
            } catch (IOException | LvmsyncException e) {
                progress.finish();
                finishAfter(applier, e);
                throw e;
            }
            progress.finish();
            applier.finish();
        }
    }

    private static void copyRecords(StreamDecoder decoder, Applier applier, MemorySegment buffer, String source,
                                    Progress progress, ZeroFill fill) throws IOException {
        Record record;
        long counted = 0;   // stream bytes reported to the progress line so far
        while ((record = decoder.next()) != null) {
            if (record instanceof Record.Extent extent) {
                fill.before(extent.offset());
            }
            switch (record) {
                case Record.Data data -> copyData(decoder, applier, buffer, source, data);
                // zero/discard semantics and the base check come with the extended stream's receiver
                case Record.Zero zero -> throw notYet(decoder, source, zero);
                case Record.Discard discard -> throw notYet(decoder, source, discard);
                case Record.Header header -> { }
                case Record.End end -> { }   // its counts and digest were checked by the decoder
            }
            if (record instanceof Record.Extent extent) {
                fill.after(extent.end());
            }
            progress.add(decoder.position() - counted);
            counted = decoder.position();
        }
        fill.finish();
        if (fill.gapBytes() > 0) {
            Log.verbose(fill.gapBytes() + " bytes no record covered: " + (fill.skipsGaps()
                    ? "skipped, the destination is a blank thin volume" : "written as zeros"));
        }
    }

    private static ZeroFill.Writer zerosOnto(Applier applier) {
        return (offset, zeros) -> {
            long keep = applier.admit(offset, zeros.byteSize());   // the part inside the destination
            if (keep > 0) {
                applier.write(offset, zeros.asSlice(0, keep));
            }
        };
    }

    private static void copyData(StreamDecoder decoder, Applier applier, MemorySegment buffer, String source,
                                 Record.Data data) throws IOException {
        long keep = admit(applier, decoder, data, source);
        long done = 0;
        while (done < keep) {
            long n = decoder.readPayload(buffer.asSlice(0, Math.min(buffer.byteSize(), keep - done)));
            applier.write(data.offset() + done, buffer.asSlice(0, n));
            done += n;
        }
        // next() skips what is left of the payload (all of it for a skipped record)
    }

    private static long admit(Applier applier, StreamDecoder decoder, Record.Data data, String source) {
        try {
            return applier.admit(data.offset(), data.length());
        } catch (LvmsyncException e) {
            throw new LvmsyncException(e.failureClass(), "change stream " + source + ", record "
                    + (decoder.recordIndex() + 1) + " at stream byte " + decoder.recordStreamOffset() + ": "
                    + e.getMessage(), e);
        }
    }

    private static LvmsyncException notYet(StreamDecoder decoder, String source, Record.Extent extent) {
        return new LvmsyncException(FailureClass.BAD_INPUT, "change stream " + source + ", record "
                + (decoder.recordIndex() + 1) + " at stream byte " + decoder.recordStreamOffset()
                + ": this lvmsync cannot apply " + extent + " yet (zero and discard records); nothing of it was written");
    }

    /** Writes and syncs the records that came before the failure, keeping the first error. */
    private static void finishAfter(Applier applier, Exception failure) {
        try {
            applier.finishBeforeFailure();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
