package org.lvmsync.job;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.apply.Applier;
import org.lvmsync.apply.ApplyOptions;
import org.lvmsync.apply.UndoFiles;
import org.lvmsync.apply.ZeroFill;
import org.lvmsync.discover.BlankThinVolume;
import org.lvmsync.os.AlignedBuffer;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FdChannel;
import org.lvmsync.os.FileStat;
import org.lvmsync.report.Progress;
import org.lvmsync.stream.ClassicFormat;
import org.lvmsync.stream.CorruptStreamException;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.ResumeAnswer;
import org.lvmsync.stream.StreamDecoder;
import org.lvmsync.stream.StreamFormats;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.stream.TruncatedStreamException;

/**
 * {@code lvmsync --apply <file|-> <destination>}: decodes a change stream and feeds it to an
 * {@link Applier}.
 *
 * <p>The first record is read before the destination is opened: an extended stream's
 * header says what the stream is (checked against the destination's record by the
 * applier) and what its undo file must say. Every record is checked whole by the decoder
 * before any of it is written. When the stream turns out corrupt, cut short or unreadable,
 * or a record does not fit, every record before it is written (covered by the snapback
 * file) and the run fails with how many were applied and how to roll them back. When
 * writing itself fails, or the stream is one of lvmsync 3.0.x, nothing more is written (see
 * {@link Applier#finishBeforeFailure()}).
 *
 * <p>An undo file that ends in a torn record (see {@link UndoFiles}) is applied up to it,
 * with a warning, and the run succeeds: that record's bytes were never overwritten.
 */
public final class ApplyJob {
    private ApplyJob() {
    }

    public static void run(ApplyRequest request) throws IOException {
        run(request, OptionalLong.empty());
    }

    /**
     * With {@code zeroFillTo} (a remote full copy of a thin snapshot, {@code --zero-fill}):
     * what no record covers up to that size is zeroed as the records go ({@link ZeroFill}),
     * unless the destination is a blank thin volume, which reads zeros there already.
     */
    public static void run(ApplyRequest request, OptionalLong zeroFillTo) throws IOException {
        if (request.fromStdin() && Fd.stdin().isTerminal()) {
            throw new LvmsyncException(FailureClass.USAGE, "--apply - reads a change stream from stdin, which is a"
                    + " terminal; pipe one in (ssh src lvmsync --stdout SNAP | lvmsync --apply - DEST) or name a file");
        }
        String source = request.fromStdin() ? "stdin" : request.input();
        boolean blank = zeroFillTo.isPresent() && BlankThinVolume.readsZeros(request.destination());
        try (Fd input = request.fromStdin() ? Fd.stdin() : Fd.open(Path.of(request.input()), Fd.O_RDONLY);
             StreamDecoder decoder = StreamFormats.open(new FdChannel(input), source)) {
            Record first = decoder.next();
            Optional<StreamIdentity> identity = decoder.identity();
            if (request.transfer().verify() && decoder.format() instanceof ClassicFormat) {
                throw new LvmsyncException(FailureClass.USAGE, "--verify compares with the stream's checksums, and "
                        + source + " is in the original's format (" + decoder.format().handshake() + "), which has"
                        + " none; nothing was written. Apply it without --verify, or send with this lvmsync");
            }
            FileStat st = input.stat();
            try (Applier applier = Applier.open(request.destination(), options(request), identity);
                 Arena arena = Arena.ofConfined()) {
                // without --zero-fill: nothing to fill (size 0)
                ZeroFill fill = new ZeroFill(zeroFillTo.orElse(0), blank || zeroFillTo.isEmpty(), zerosOnto(applier));
                if (request.transfer().resume()) {
                    answerResume(applier, fill);
                }
                if (decoder.format() instanceof ClassicFormat) {
                    applier.suspectLittleEndianOffsets();
                }
                MemorySegment buffer = AlignedBuffer.allocate(arena, Applier.STAGING_BYTES);
                // a change file's size is known; a stream on stdin shows bytes and rate only
                Progress progress = Progress.forStderr(st.isRegularFile() ? st.size() : -1);
                try {
                    copyRecords(first, decoder, applier, buffer, source, progress, fill);
                } catch (CorruptStreamException e) {
                    progress.finish();
                    if (identity.isPresent() && identity.get().isUndo() && torn(e, st)) {
                        Log.warn("undo file " + source + " ends in a torn record (" + detail(e) + "): the run that"
                                + " wrote it was interrupted before overwriting what that record saved; skipped");
                        applier.finish();
                        return;
                    }
                    finishAfter(applier, e);
                    throw withOutcome(e, applier);
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

    static ApplyOptions options(ApplyRequest request) {
        TransferOptions t = request.transfer();
        return new ApplyOptions(request.snapback(), request.skipPastEnd(), t.verify(), t.force(), t.stateDir());
    }

    /**
     * The resume exchange, receiving side: one line on stdout, the channel back to the
     * sender. Where this stream is durable up to an offset, the zero fill starts there: the
     * run that got that far filled the gaps below it (whether or not the sender takes the
     * answer, a stream of the same id has the same gaps).
     */
    private static void answerResume(Applier applier, ZeroFill fill) throws IOException {
        String answer = applier.resumeAnswer().orElseThrow();
        ResumeAnswer.parse(answer).ifPresent(a -> fill.resumeAt(a.offset()));
        String line = answer + "\n";
        Log.debug("answering the sender: " + line.strip());
        try (Arena arena = Arena.ofConfined()) {
            Fd.stdout().write(arena.allocateFrom(line, StandardCharsets.US_ASCII).asSlice(0, line.length()));
        }
    }

    /** An undo file's damaged or cut record lies in the tail a crash may leave. */
    private static boolean torn(CorruptStreamException e, FileStat input) {
        if (input.isRegularFile()) {
            return UndoFiles.tornTail(input.size() - e.streamOffset());
        }
        return e instanceof TruncatedStreamException;   // on a pipe only a cut is known to be at the end
    }

    private static String detail(CorruptStreamException e) {
        String m = e.getMessage();
        int at = m.indexOf(": record ");
        return at < 0 ? m : m.substring(at + 2);
    }

    /** A bad stream's message, with what was applied before it and the way back. */
    private static CorruptStreamException withOutcome(CorruptStreamException e, Applier applier) {
        String outcome;
        if (!applier.touched()) {
            outcome = applier.destination() + " was not changed";
        } else {
            long n = applier.records();
            outcome = n + " record" + (n == 1 ? "" : "s") + " before it " + (n == 1 ? "was" : "were") + " applied to "
                    + applier.destination() + applier.snapbackPath().map(p -> " (lvmsync --apply " + p + " "
                    + applier.destination() + " rolls " + (n == 1 ? "it" : "them") + " back)").orElse("");
        }
        String next = e instanceof TruncatedStreamException ? "; the whole stream sent again completes it" : "";
        return e.withOutcome(outcome + next);
    }

    private static void copyRecords(Record first, StreamDecoder decoder, Applier applier, MemorySegment buffer,
                                    String source, Progress progress, ZeroFill fill) throws IOException {
        Record record = first;
        long counted = 0;   // stream bytes reported to the progress line so far
        while (record != null) {
            if (record instanceof Record.Extent extent) {
                fill.before(extent.offset());
            }
            switch (record) {
                case Record.Data data -> copyData(decoder, applier, buffer, source, data);
                case Record.Zero zero -> applier.zero(zero.offset(), admit(applier, decoder, zero, source));
                case Record.Discard discard -> applier.discard(discard.offset(), admit(applier, decoder, discard, source));
                case Record.Header header -> { }   // given to the applier when it opened
                case Record.End end -> { }         // its counts and digest were checked by the decoder
            }
            if (record instanceof Record.Extent extent) {
                fill.after(extent.end());
            }
            progress.add(decoder.position() - counted);
            counted = decoder.position();
            record = decoder.next();
        }
        fill.finish();
        if (fill.gapBytes() > 0) {
            Log.verbose(fill.gapBytes() + " bytes no record covered: " + (fill.skipsGaps()
                    ? "skipped, the destination is a blank thin volume" : "zeroed"));
        }
    }

    /** Gaps of a full copy become zero extents of the applier, inside the destination as records are. */
    private static ZeroFill.Writer zerosOnto(Applier applier) {
        return (offset, length) -> applier.zero(offset, applier.admit(offset, length));
    }

    private static void copyData(StreamDecoder decoder, Applier applier, MemorySegment buffer, String source,
                                 Record.Data data) throws IOException {
        long keep = admit(applier, decoder, data, source);
        // the stream's checksum stands for the record when it is written whole in one piece
        OptionalInt crc = keep == data.length() && keep <= buffer.byteSize() ? decoder.plainCrc() : OptionalInt.empty();
        long done = 0;
        while (done < keep) {
            long n = decoder.readPayload(buffer.asSlice(0, Math.min(buffer.byteSize(), keep - done)));
            applier.write(data.offset() + done, buffer.asSlice(0, n), n == keep ? crc : OptionalInt.empty());
            done += n;
        }
        // next() skips what is left of the payload (all of it for a skipped record)
    }

    private static long admit(Applier applier, StreamDecoder decoder, Record.Extent extent, String source) {
        try {
            return applier.admit(extent.offset(), extent.length());
        } catch (LvmsyncException e) {
            throw new LvmsyncException(e.failureClass(), "change stream " + source + ", record "
                    + (decoder.recordIndex() + 1) + " at stream byte " + decoder.recordStreamOffset() + ": "
                    + e.getMessage(), e);
        }
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
