package org.lvmsync.job;

import java.io.IOException;
import java.util.Optional;
import org.lvmsync.Log;
import org.lvmsync.changes.RunList;
import org.lvmsync.stream.Resumable;
import org.lvmsync.stream.ResumeAnswer;
import org.lvmsync.stream.StreamIdentity;

/**
 * {@code --resume}, sending side: asks the receiver where an interrupted run of this very
 * stream stopped, checks the answer, and keeps only the changes from there on.
 *
 * <p>The answer is the receiver's claim (over ssh it may come from anything that writes to
 * the remote's stdout), so it is taken only when it fits the stream about to be sent: the
 * same stream id (which is a digest of the snapshot and its whole run list, so an answer
 * about an earlier snapshot, or a run list that has grown since, does not match), and a
 * position on a chunk boundary inside the run list. Anything else (garbage, silence, a
 * stale or forged answer) means: send everything, and say why. Data is never skipped on
 * an answer that does not fit.
 */
final class ResumePlan {
    private ResumePlan() {
    }

    /**
     * The runs still to send.
     *
     * @param originHeld the origin is open (a service may still write it): data already sent may
     *                   have changed since, so nothing is skipped
     */
    static RunList negotiate(Resumable receiver, StreamIdentity id, RunList runs, boolean originHeld)
            throws IOException {
        Optional<String> line = receiver.resumeAnswer();
        long at = position(line, id, runs);
        if (at > 0 && originHeld) {
            Log.warn("not resuming: the origin is open, so what the receiver holds of the interrupted run may have"
                    + " changed since; sending everything");
            return runs;
        }
        if (at == 0) {
            return runs;
        }
        RunList rest = from(runs, at);
        Log.info("Resuming at byte " + at + ": the receiver holds " + (runs.totalBytes() - rest.totalBytes()) + " of the "
                + runs.totalBytes() + " changed bytes of this stream already");
        return rest;
    }

    /** Where to resume: the answer's offset if it fits, else 0 (with the reason on stderr). */
    static long position(Optional<String> line, StreamIdentity id, RunList runs) {
        if (line.isEmpty()) {
            Log.warn("the receiver did not say where to resume; sending everything");
            return 0;
        }
        Optional<ResumeAnswer> parsed = ResumeAnswer.parse(line.get());
        if (parsed.isEmpty()) {
            Log.warn("the receiver's answer about where to resume is not understood (" + shown(line.get())
                    + "); sending everything");
            return 0;
        }
        ResumeAnswer answer = parsed.get();
        if (answer.stream().isEmpty()) {
            Log.verbose("the receiver holds nothing of this stream: sending everything");
            return 0;
        }
        if (!answer.stream().get().equals(id.streamId())) {
            Log.warn("the receiver's resume point belongs to stream " + answer.stream().get() + ", not to this one ("
                    + id.streamId() + "; the snapshot or its changes differ from the interrupted run); sending"
                    + " everything");
            return 0;
        }
        long at = answer.offset();
        long end = Math.min(runs.endOffset(), id.deviceSize());
        if (at % id.chunkSize() != 0 || at > end) {
            Log.warn("the receiver's resume point " + at + " is not a chunk boundary (" + id.chunkSize()
                    + " bytes) inside this stream's changes (which end at byte " + end + "); sending everything");
            return 0;
        }
        return at;
    }

    /** The part of {@code runs} at or past byte {@code at}, a multiple of the unit. */
    static RunList from(RunList runs, long at) {
        long unit = runs.unitBytes();
        RunList.Builder b = RunList.builder(unit);
        long first = at / unit;
        for (RunList.Cursor c = runs.cursor(); c.next(); ) {
            long start = Math.max(c.offset() / unit, first);
            long end = (c.offset() + c.length()) / unit;
            if (start < end) {
                b.addRun(start, end - start);
            }
        }
        return b.build();
    }

    private static String shown(String line) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < Math.min(line.length(), 60); i++) {
            char c = line.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.append(line.length() > 60 ? "...'" : "'").toString();
    }
}
