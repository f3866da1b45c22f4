package org.lvmsync.job;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.lvmsync.stream.StreamWriting;

/**
 * What the trustworthy-transfer options ask of a run, on either side.
 *
 * @param writing  the sender's stream format and compression (--protocol, --compress)
 * @param verify   the receiver reads back what it wrote and compares (--verify)
 * @param resume   the sender asks the receiver where an interrupted run of the same stream stopped and
 *                 skips what is durable there; on the receiving side: answer that question (--resume)
 * @param force    the receiver applies a stream whose base is not what the destination holds (--force)
 * @param stateDir where the receiver keeps destination records (--state-dir); empty keeps none
 */
public record TransferOptions(StreamWriting writing, boolean verify, boolean resume, boolean force,
                              Optional<Path> stateDir) {
    /** The library default: extended stream, nothing asked, no records kept. */
    public static final TransferOptions DEFAULT =
            new TransferOptions(StreamWriting.DEFAULT, false, false, false, Optional.empty());

    public TransferOptions {
        Objects.requireNonNull(writing, "writing");
        Objects.requireNonNull(stateDir, "stateDir");
    }
}
