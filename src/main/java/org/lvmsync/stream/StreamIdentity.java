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
 *                   stream leads from a full copy of {@code source} (the classic workflow)
 */
public record StreamIdentity(UUID streamId, long deviceSize, long chunkSize, SnapshotIdentity source,
                             Optional<SnapshotIdentity> base) {
    /** Largest chunk size accepted: thin pools allow blocks of up to 1 GiB. */
    public static final long MAX_CHUNK = 1L << 30;

    public StreamIdentity {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(base, "base");
        if (deviceSize <= 0 || deviceSize % 512 != 0) {
            throw new IllegalArgumentException("device size " + deviceSize + " is not a positive multiple of 512");
        }
        if (chunkSize < 512 || chunkSize > MAX_CHUNK || chunkSize % 512 != 0) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is not a multiple of 512 in 512.."
                    + MAX_CHUNK);
        }
    }

    /** A new stream of {@code source} with a fresh random id. */
    public static StreamIdentity fresh(long deviceSize, long chunkSize, SnapshotIdentity source,
                                       Optional<SnapshotIdentity> base) {
        return new StreamIdentity(UUID.randomUUID(), deviceSize, chunkSize, source, base);
    }
}
