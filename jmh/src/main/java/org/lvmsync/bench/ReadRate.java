package org.lvmsync.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.lvmsync.changes.RunList;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.IoEngines;
import org.lvmsync.os.Fd;
import org.lvmsync.report.Progress;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.sync.Sender;

/**
 * How fast the sender reads changed chunks: the real {@link Sender} over a run list of
 * scattered 4 KiB chunks, through a chosen engine, into a sink that only counts. The
 * same reads can be written as a fio iolog, so fio replays exactly this pattern (same
 * offsets, same lengths, same order) for the side-by-side ratio.
 */
final class ReadRate {
    private static final int CHUNK = 4096;

    private ReadRate() {
    }

    /** {@code repeat} sends in this JVM: the first one is what a run sees (a cold JIT), the later ones steady state. */
    static void run(Path device, double percent, long seed, String engine, int depth, Optional<Path> iolog, int repeat)
            throws IOException {
        long size;
        try (Fd fd = Fd.open(device, Fd.O_RDONLY)) {
            size = fd.size();
        }
        long chunks = size / CHUNK;
        long[] picked = BenchFiles.sortedSlots(chunks, (int) Math.round(chunks * percent / 100), seed);
        RunList.Builder builder = RunList.builder(CHUNK);
        for (long c : picked) {
            builder.add(c);
        }
        RunList runs = builder.build();
        if (iolog.isPresent()) {
            writeIolog(iolog.get(), device, runs);
        }
        IoEngines.Choice choice = new IoEngines.Choice(IoEngines.Kind.valueOf(engine.toUpperCase(Locale.ROOT)), depth);
        for (int round = 0; round < repeat; round++) {
            try (IoEngine reader = IoEngines.open(device, choice); Discard sink = new Discard()) {
                long t0 = System.nanoTime();
                long bytes = new Sender(reader, reader.size(), sink, Progress.silent(runs.totalBytes())).send(runs);
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "%d %d %.6f %s%n", sink.records, bytes, seconds, reader);
            }
        }
    }

    /** fio's iolog version 2: one line per read, in the sender's order (windows of at most 4 MiB). */
    private static void writeIolog(Path log, Path device, RunList runs) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
            String file = device.toAbsolutePath().toString();
            out.println("fio version 2 iolog");
            out.println(file + " add");
            out.println(file + " open");
            runs.forEach((offset, length) -> {
                for (long at = offset; at < offset + length; at += Sender.IO_BYTES) {
                    out.println(file + " read " + at + " " + Math.min(Sender.IO_BYTES, offset + length - at));
                }
            });
            out.println(file + " close");
        }
    }

    private static final class Discard implements RecordSink {
        long records;

        @Override
        public void accept(Record record, MemorySegment payload) {
            records++;
        }

        @Override
        public void finish() {
        }

        @Override
        public void close() {
        }
    }
}
