package org.lvmsync.aot;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.lvmsync.changes.RunList;
import org.lvmsync.dm.ThinPoolStatus;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.IoEngines;
import org.lvmsync.job.StreamIdentities;
import org.lvmsync.report.Progress;
import org.lvmsync.stream.ExtendedFormat;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamWriting;
import org.lvmsync.sync.Sender;
import org.lvmsync.thin.HeldMetadata;
import org.lvmsync.thin.MappedMetadata;
import org.lvmsync.thin.MetadataRoot;
import org.lvmsync.thin.PoolControl;
import org.lvmsync.thin.ThinMetadata;
import org.lvmsync.thin.ThinRuns;
import org.lvmsync.transport.StreamSink;

/**
 * The part of {@link AotTraining} that goes the way of a sync of a thin snapshot, on
 * files: a metadata snapshot reserved and released through a pool that answers as
 * dm-thin does (status lines, the two messages), the metadata image of
 * {@link ThinTraining} mapped and walked at the held root for what differs between
 * thin devices 1 (the snapshot) and 2 (its origin), and those blocks sent from an
 * origin file. Before it, a thin sync loaded the thin walk's classes from the jar and
 * ran them without profiles: the main cache had only the classic path, and the
 * thin-delta cache is for that mode alone.
 */
final class ThinSyncTraining {
    /** The image's data blocks are 64 KiB; its devices map blocks below 128. */
    private static final long DEVICE_BYTES = 128L * 64 * 1024;
    /** Blocks 64-69 unmapped in the origin, 80-89 rewritten, 96-109 new (see ThinTraining.image). */
    static final long CHANGED_BLOCKS = 30;
    private static final long HELD_ROOT = 7;

    private ThinSyncTraining() {
    }

    /** Runs it in {@code dir}; returns the messages the pool was sent (tests look). */
    static List<String> run(Path dir) throws IOException {
        Path meta = Files.write(dir.resolve("tmeta"), ThinTraining.image());
        TrainingPool pool = new TrainingPool();
        RunList runs;
        try (HeldMetadata held = HeldMetadata.reserve(pool, "aotvg/pool");
             MappedMetadata source = MappedMetadata.open(meta)) {
            ThinMetadata view = ThinMetadata.open(source, MetadataRoot.heldAt(held.root()));
            runs = ThinRuns.changes(view, 1, 2, DEVICE_BYTES, DEVICE_BYTES);
        }
        if (runs.unitCount() != CHANGED_BLOCKS) {
            throw new IllegalStateException("the training's thin walk found " + runs.unitCount() + " blocks, not "
                    + CHANGED_BLOCKS);
        }
        send(dir.resolve("thin-origin"), runs);
        return pool.messages;
    }

    /** The runs sent from a sparse origin of the devices' size into a stream nobody keeps. */
    private static void send(Path origin, RunList runs) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(origin.toFile(), "rw")) {
            file.setLength(DEVICE_BYTES);
        }
        StreamWriting writing = new StreamWriting(ExtendedFormat.V1, ExtendedFormat.Options.zstd(1, 0));
        try (IoEngine reader = IoEngines.open(origin);
             StreamSink sink = new StreamSink(writing, Channels.newChannel(java.io.OutputStream.nullOutputStream()),
                     true)) {
            sink.accept(new Record.Header(StreamIdentities.forDevice("aot-thin", reader.size(), runs)),
                    MemorySegment.NULL);
            new Sender(reader, reader.size(), sink, Progress.silent(runs.totalBytes())).send(runs);
            sink.finish();
        }
    }

    /** A pool as dm-thin answers: no snapshot held until reserve_metadata_snap, then one at {@link #HELD_ROOT}. */
    private static final class TrainingPool implements PoolControl {
        final List<String> messages = new ArrayList<>();
        private boolean held;

        @Override
        public String dmName() {
            return "aotvg-pool-tpool";
        }

        @Override
        public ThinPoolStatus status() throws IOException {
            return ThinPoolStatus.parse("1 12/1024 30/16384 " + (held ? HELD_ROOT : "-")
                    + " rw discard_passdown queue_if_no_space - 1024");
        }

        @Override
        public void message(String text) {
            messages.add(text);
            held = text.equals("reserve_metadata_snap");
        }
    }
}
