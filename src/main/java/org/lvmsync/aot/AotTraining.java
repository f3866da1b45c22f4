package org.lvmsync.aot;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.lvmsync.Log;
import org.lvmsync.changes.RunList;
import org.lvmsync.cli.Main;
import org.lvmsync.cow.CowChangeSource;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.IoEngines;
import org.lvmsync.job.StreamIdentities;
import org.lvmsync.report.Progress;
import org.lvmsync.stream.ExtendedFormat;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamWriting;
import org.lvmsync.sync.Sender;
import org.lvmsync.transport.StreamSink;

/**
 * The training run of the build's AOT cache ({@code scripts/lvmsync} with
 * {@code LVMSYNC_AOT_TRAIN=1}; JDK 24+): does once, on scratch files, what real runs do,
 * so the classes they load (picocli's model, the stream codecs, the engines, the COW
 * walk, the applier) are in the cache, already parsed and linked, when a run starts:
 * {@code --version}, {@code --help}, a usage error, an apply with a snapback, the
 * sending side from a COW walk through the sender into an extended stream (the default
 * format, compressed), and that stream applied with a snapback and --verify and undone;
 * then a local sync of a classic snapshot as far as it runs without device-mapper
 * ({@link ClassicSyncTraining}), the metadata walk and send of a thin snapshot's sync
 * ({@link ThinSyncTraining}), and where device-mapper is within reach the questions a
 * sync asks it ({@link RealDmTraining}).
 * ({@code thin-delta} runs have a cache of their own, {@link ThinTraining}.) Not for people: it
 * prints nothing and leaves nothing behind. It sits above cli, at the top of the package
 * graph, since it drives the command line and the layers below alike.
 */
public final class AotTraining {
    private AotTraining() {
    }

    /**
     * Trains, then ends the way a send or an apply ends: with System.exit, whose first call
     * logs the exit through the JDK's System.Logger (some 30 classes, loaded at the end of
     * every run otherwise). The cache is written as this JVM exits.
     */
    public static void main(String[] args) throws IOException {
        train();
        System.exit(0);
    }

    /** Everything the training runs, in this JVM (tests call it). */
    static void train() throws IOException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream log = Log.stream();
        Path dir = Files.createTempDirectory("lvmsync-aot-");
        try (PrintStream sink = new PrintStream(java.io.OutputStream.nullOutputStream())) {
            System.setOut(sink);
            System.setErr(sink);
            Log.setStream(sink);    // in case Log was set up before this (a test's JVM)
            run(0, "--version");
            run(0, "--help");
            run(2, "-b", "x", "-s", "vg/snap");
            Path image = Files.write(dir.resolve("image"), new byte[64 * 1024]);
            Path stream = Files.write(dir.resolve("changes"), stream());
            Path state = dir.resolve("state");
            apply(state, stream.toString(), "--snapback", dir.resolve("undo").toString(), image.toString());
            apply(state, dir.resolve("undo").toString(), image.toString());
            Path extended = send(dir, image);
            apply(state, extended.toString(), "--snapback", dir.resolve("undo-x").toString(), "--verify",
                    image.toString());
            apply(state, dir.resolve("undo-x").toString(), image.toString());
            if (RealDmTraining.available()) {
                RealDmTraining.run();
            }
            ClassicSyncTraining.run(Files.createDirectory(dir.resolve("sync")));
            ThinSyncTraining.run(Files.createDirectory(dir.resolve("thin")));
        } finally {
            System.setOut(out);
            System.setErr(err);
            Log.setStream(log);
            deleteTree(dir);
        }
    }

    /** A training's scratch directory, removed with all it holds. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * {@code --apply STREAM REST} with its records in {@code state}: a build trains as root, and
     * the default state directory (/var/lib/lvmsync) would gain a record of a deleted
     * scratch image at every build.
     */
    private static void apply(Path state, String stream, String... rest) {
        String[] all = new String[rest.length + 4];
        all[0] = "--apply";
        all[1] = stream;
        all[2] = "--state-dir";
        all[3] = state.toString();
        System.arraycopy(rest, 0, all, 4, rest.length);
        run(0, all);
    }

    /** A training step that went another way than real runs would trains the wrong code: the build says so. */
    static void run(int expected, String... args) {
        int status = Main.execute(args);
        if (status != expected) {
            throw new IllegalStateException("lvmsync " + String.join(" ", args) + " exited " + status + ", not "
                    + expected);
        }
    }

    /** A stream of two records: 4 KiB at 4 KiB and 2 bytes at 16 KiB. */
    private static byte[] stream() {
        byte[] hs = "lvmsync PROTO[3]\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(hs.length + 12 + 4096 + 12 + 2).order(ByteOrder.BIG_ENDIAN);
        b.put(hs).putLong(4096).putInt(4096).put(new byte[4096]).putLong(16384).putInt(2).put((byte) 'h').put((byte) 'i');
        return b.array();
    }

    /**
     * A COW image with three exceptions, walked and sent from {@code origin} into an
     * extended stream (compressed), the default format; returns the stream's file.
     */
    private static Path send(Path dir, Path origin) throws IOException {
        ByteBuffer cow = ByteBuffer.allocate(8 * 4096).order(ByteOrder.LITTLE_ENDIAN);
        cow.putInt(0, 0x70416e53).putInt(4, 1).putInt(8, 1).putInt(12, 8);
        for (int i = 0; i < 3; i++) {
            cow.putLong(4096 + 16 * i, 2L * i).putLong(4096 + 16 * i + 8, 2 + i);
        }
        Path cowFile = Files.write(dir.resolve("cow"), cow.array());
        RunList runs;
        try (IoEngine engine = IoEngines.openForMetadata(cowFile)) {
            runs = new CowChangeSource(engine, Files.size(origin)).changes();
        }
        Path stream = dir.resolve("changes-x");
        StreamWriting writing = new StreamWriting(ExtendedFormat.V1, ExtendedFormat.Options.zstd(1, 0));
        try (IoEngine reader = IoEngines.open(origin);
             StreamSink sink = new StreamSink(writing, Files.newByteChannel(stream, StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE), true)) {
            sink.accept(new Record.Header(StreamIdentities.forDevice("aot", reader.size(), runs)), MemorySegment.NULL);
            new Sender(reader, reader.size(), sink, Progress.silent(runs.totalBytes())).send(runs);
            sink.finish();
        }
        return stream;
    }
}
