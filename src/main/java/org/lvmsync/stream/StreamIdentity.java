package org.lvmsync.stream;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What an extended stream is about, carried by its {@link Record.Header}: what the later
 * base check and resume compare.
 *
 * @param streamId   random per stream: names the stream in a resume journal and in messages
 * @param deviceSize bytes of the device the stream describes (the origin); every record lies inside it
 * @param chunkSize  bytes per change-tracking unit (COW chunk, thin block): runs start and end on it
 * @param source     the snapshot the data comes from: what the destination holds once applied
 * @param base       for an increment, the snapshot the destination must hold before it; empty when the
 *                   stream leads from a full copy of {@code source} (the classic workflow) or from nothing
 *                   ({@code wholeDevice})
 * @param undoes     set only in a snapback (undo) file: the id of the stream whose overwritten bytes
 *                   it holds (the nil UUID for a stream that carried no identity). Then {@code source}
 *                   and {@code base} describe the run it undoes: applying the file leads the
 *                   destination back from {@code source} to {@code base}
 * @param wholeDevice the stream (with what its receiver zero-fills, a thin {@code --full}) writes the
 *                   whole device from nothing: it needs nothing of what the destination held, so a
 *                   receiver takes it onto any destination. Never with a base, never in an undo file
 */
public record StreamIdentity(UUID streamId, long deviceSize, long chunkSize, SnapshotIdentity source,
                             Optional<SnapshotIdentity> base, Optional<UUID> undoes, boolean wholeDevice) {
    /** The stream id an undo file names when the stream it undoes carried none (a classic stream). */
    public static final UUID NO_STREAM = new UUID(0, 0);

    /** Largest chunk size accepted: thin pools allow blocks of up to 1 GiB. */
    public static final long MAX_CHUNK = 1L << 30;

    public StreamIdentity {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(undoes, "undoes");
        if (deviceSize <= 0 || deviceSize % 512 != 0) {
            throw new IllegalArgumentException("device size " + deviceSize + " is not a positive multiple of 512");
        }
        if (chunkSize < 512 || chunkSize > MAX_CHUNK || chunkSize % 512 != 0) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is not a multiple of 512 in 512.."
                    + MAX_CHUNK);
        }
        if (wholeDevice && (base.isPresent() || undoes.isPresent())) {
            throw new IllegalArgumentException("a whole-device stream leads from nothing: it has no base and undoes"
                    + " nothing");
        }
    }

    /** Any stream but a whole-device copy (undo files among them). */
    public StreamIdentity(UUID streamId, long deviceSize, long chunkSize, SnapshotIdentity source,
                          Optional<SnapshotIdentity> base, Optional<UUID> undoes) {
        this(streamId, deviceSize, chunkSize, source, base, undoes, false);
    }

    /** A stream that is not an undo file, nor a whole-device copy. */
    public StreamIdentity(UUID streamId, long deviceSize, long chunkSize, SnapshotIdentity source,
                          Optional<SnapshotIdentity> base) {
        this(streamId, deviceSize, chunkSize, source, base, Optional.empty(), false);
    }

    /** A stream that writes the whole device of {@code source} from nothing (a {@code --full} copy). */
    public static StreamIdentity wholeDevice(UUID streamId, long deviceSize, long chunkSize, SnapshotIdentity source) {
        return new StreamIdentity(streamId, deviceSize, chunkSize, source, Optional.empty(), Optional.empty(), true);
    }

    /** Whether this is the identity of a snapback (undo) file. */
    public boolean isUndo() {
        return undoes.isPresent();
    }

    /** A new stream of {@code source} with a fresh random id. */
    public static StreamIdentity fresh(long deviceSize, long chunkSize, SnapshotIdentity source,
                                       Optional<SnapshotIdentity> base) {
        return new StreamIdentity(UUID.randomUUID(), deviceSize, chunkSize, source, base);
    }
}
