package org.lvmsync.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.ErrnoException;

/**
 * The engine a run reads devices with; the one place that picks it.
 *
 * <p>By default: io_uring with {@link #DEFAULT_DEPTH} reads in flight, or, where the
 * kernel has no usable io_uring (older than 5.6, {@code kernel.io_uring_disabled}, a
 * seccomp filter), a pool of as many reader threads. Two environment variables tune it:
 * <ul>
 * <li>{@code LVMSYNC_QUEUE_DEPTH=N} (1..{@link #MAX_DEPTH}): reads in flight; 1 reads one
 *     at a time with pread(2);</li>
 * <li>{@code LVMSYNC_IO_ENGINE=uring|threads|pread}: insist on one engine (uring fails
 *     with the kernel's reason where it is not available).</li>
 * </ul>
 */
public final class IoEngines {
    public static final int DEFAULT_DEPTH = 32;
    /** For metadata walks: many small reads, so a deeper queue costs little memory (4 KiB each). */
    public static final int METADATA_DEPTH = 128;
    public static final int MAX_DEPTH = 4096;
    static final String DEPTH_VARIABLE = "LVMSYNC_QUEUE_DEPTH";
    static final String ENGINE_VARIABLE = "LVMSYNC_IO_ENGINE";

    /** The engines there are, for {@code LVMSYNC_IO_ENGINE}. */
    public enum Kind {
        AUTO, URING, THREADS, PREAD
    }

    /** What to open: which engine, how deep. */
    public record Choice(Kind kind, int depth) {
        public Choice {
            if (depth < 1 || depth > MAX_DEPTH) {
                throw new IllegalArgumentException("queue depth " + depth + " outside 1.." + MAX_DEPTH);
            }
        }
    }

    /** Set once io_uring_setup failed, so later devices of the run go straight to threads. */
    private static volatile String uringRefused;

    private IoEngines() {
    }

    /** Opens {@code device} for reading, bypassing the page cache where the device allows. */
    public static IoEngine open(Path device) throws IOException {
        return open(device, fromEnvironment(System.getenv(ENGINE_VARIABLE), System.getenv(DEPTH_VARIABLE)));
    }

    /**
     * Opens {@code device} for a metadata walk (the COW's areas): the same engine, with
     * {@link #METADATA_DEPTH} reads in flight unless LVMSYNC_QUEUE_DEPTH says otherwise.
     */
    public static IoEngine openForMetadata(Path device) throws IOException {
        String depth = System.getenv(DEPTH_VARIABLE);
        Choice choice = fromEnvironment(System.getenv(ENGINE_VARIABLE), depth);
        if ((depth == null || depth.isBlank()) && choice.kind() != Kind.PREAD) {
            choice = new Choice(choice.kind(), METADATA_DEPTH);
        }
        return open(device, choice);
    }

    public static IoEngine open(Path device, Choice choice) throws IOException {
        Kind kind = choice.depth() == 1 && choice.kind() == Kind.AUTO ? Kind.PREAD : choice.kind();
        return switch (kind) {
            case PREAD -> PreadEngine.open(device);
            case THREADS -> ThreadedEngine.open(device, choice.depth());
            case URING -> UringEngine.open(device, choice.depth());
            case AUTO -> uringOrThreads(device, choice.depth());
        };
    }

    private static IoEngine uringOrThreads(Path device, int depth) throws IOException {
        if (uringRefused == null) {
            try {
                return UringEngine.open(device, depth);
            } catch (ErrnoException e) {
                if (!"io_uring_setup".equals(e.operation())) {
                    throw e; // the device itself failed to open
                }
                uringRefused = e.getMessage();
                Log.verbose("io_uring not available (" + uringRefused + "); reading with " + depth + " threads");
            }
        }
        return ThreadedEngine.open(device, depth);
    }

    /** Reads the two variables; a value that makes no sense is a usage error naming it. */
    static Choice fromEnvironment(String engine, String depth) {
        Kind kind = Kind.AUTO;
        if (engine != null && !engine.isBlank()) {
            try {
                kind = Kind.valueOf(engine.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new LvmsyncException(FailureClass.USAGE, ENGINE_VARIABLE + "=" + engine
                        + " is not an I/O engine; use uring, threads, pread or auto (or unset it)");
            }
        }
        int n = kind == Kind.PREAD ? 1 : DEFAULT_DEPTH;
        if (depth != null && !depth.isBlank()) {
            try {
                n = Integer.parseInt(depth.strip());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_DEPTH) {
                throw new LvmsyncException(FailureClass.USAGE, DEPTH_VARIABLE + "=" + depth
                        + " is not a queue depth; use a number from 1 to " + MAX_DEPTH + " (or unset it)");
            }
        }
        return new Choice(kind, n);
    }
}
