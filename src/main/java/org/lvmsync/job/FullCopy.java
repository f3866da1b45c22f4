package org.lvmsync.job;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import org.lvmsync.Log;
import org.lvmsync.apply.ZeroFillSink;
import org.lvmsync.discover.BlankThinVolume;
import org.lvmsync.stream.RecordSink;

/**
 * The sink of a send, and for a full copy of a thin snapshot (which sends only mapped
 * blocks) who makes the rest read as zeros: a local destination is checked here and
 * filled (or, blank thin, left thin); a remote {@code lvmsync --apply} is told
 * {@code --zero-fill SIZE} and decides for its own destination, so no zeros cross the
 * network; a change stream on stdout carries the zeros as records, since whoever applies
 * it later cannot know it was a full copy.
 */
final class FullCopy {
    /** The receiving side's option: what no record covers, up to SIZE bytes, must read as zeros. */
    static final String ZERO_FILL = "--zero-fill";

    private FullCopy() {
    }

    static RecordSink sink(SendRequest request, OptionalLong zeroFillTo) throws IOException {
        if (zeroFillTo.isEmpty()) {
            return Sinks.open(request);
        }
        long size = zeroFillTo.getAsLong();
        if (request.stdout()) {
            return new ZeroFillSink(Sinks.open(request), size, false);
        }
        if (request.host().isPresent()) {
            return Sinks.open(request, List.of(ZERO_FILL, Long.toString(size)));
        }
        Path destination = Path.of(request.destination().orElseThrow());
        boolean blank = BlankThinVolume.readsZeros(destination);
        Log.verbose(destination + (blank ? " is a thin volume with nothing mapped: unmapped blocks are skipped"
                : " is not known to read zeros: unmapped blocks are written as zeros"));
        return new ZeroFillSink(Sinks.open(request), size, blank);
    }
}
