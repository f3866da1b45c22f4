package org.lvmsync.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.lvmsync.job.TransferOptions;
import org.lvmsync.stream.ExtendedFormat;
import org.lvmsync.stream.StreamFormat;
import org.lvmsync.stream.StreamFormats;
import org.lvmsync.stream.StreamWriting;
import picocli.CommandLine.Option;

/**
 * The options of trustworthy transfer (a picocli mixin of {@link LvmsyncCommand}):
 * stream format and compression on the sending side, verification, resume, the base
 * check's override and where destination records live on the receiving side. Turns them
 * into a {@link TransferOptions} and refuses combinations that cannot work.
 */
final class TransferFlags {
    /** Where destination records live unless --state-dir or LVMSYNC_STATE_DIR says otherwise. */
    static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/lvmsync");
    static final String STATE_DIR_ENV = "LVMSYNC_STATE_DIR";

    @Option(names = "--protocol", paramLabel = "<3|2|x1>",
            description = "Stream format to write: x1 the extended format (default), 3 or 2 the original's"
                    + " (for an original lvmsync on the receiving side).")
    String protocol;

    @Option(names = {"-z", "--compress"}, arity = "0..1", paramLabel = "<level>",
            fallbackValue = "" + ExtendedFormat.Options.DEFAULT_LEVEL,
            description = "Compress data records with zstd (level " + ExtendedFormat.Options.MIN_LEVEL + ".."
                    + ExtendedFormat.Options.MAX_LEVEL + ", default " + ExtendedFormat.Options.DEFAULT_LEVEL
                    + "); the receiver needs no option.")
    Integer compress;

    @Option(names = "--verify",
            description = "After applying, read back what was written (O_DIRECT) and compare it with the stream's"
                    + " checksums. lvmsync --verify FILE DEST only checks DEST against a change stream file.")
    boolean verify;

    @Option(names = "--resume",
            description = "Continue an interrupted sync of the same snapshot: the receiver says how far it got,"
                    + " only the rest is sent.")
    boolean resume;

    @Option(names = "--force",
            description = "Apply even if the destination's record says it holds another snapshot than the stream"
                    + " leads from (e.g. after copying it whole).")
    boolean force;

    @Option(names = "--state-dir", paramLabel = "<dir>",
            description = "Where the receiving side keeps destination records (default $" + STATE_DIR_ENV
                    + " or /var/lib/lvmsync).")
    Path stateDir;

    /** For a send: {@code stdout} has no receiver to verify, resume or force. */
    TransferOptions forSend(boolean stdout, Map<String, String> env, Usage usage) {
        StreamWriting writing = writing(usage);
        if (stdout) {
            String useless = verify ? "--verify" : resume ? "--resume" : force ? "--force" : stateDir != null
                    ? "--state-dir" : null;
            if (useless != null) {
                throw usage.error(useless + " is for the receiving side; give it to the lvmsync --apply that reads"
                        + " the stream");
            }
        }
        if (!writing.extended() && (verify || resume)) {
            throw usage.error((verify ? "--verify" : "--resume") + " needs the extended format; --protocol "
                    + protocol + " writes the original's, which carries no checksums and no identity");
        }
        return new TransferOptions(writing, verify, resume, force, Optional.of(stateDir(env)));
    }

    /** For {@code --apply}: --resume there means "answer the sender on stdout", only with a stream on stdin. */
    TransferOptions forApply(boolean fromStdin, Map<String, String> env, Usage usage) {
        if (protocol != null || compress != null) {
            throw usage.error((protocol != null ? "--protocol" : "--compress") + " is for sending; --apply reads any"
                    + " format and compression by itself");
        }
        if (resume && !fromStdin) {
            throw usage.error("--resume with --apply answers a sender over the stream's pipe (--apply -); a change"
                    + " stream file cannot be resumed: apply it again");
        }
        return new TransferOptions(StreamWriting.DEFAULT, verify, resume, force, Optional.of(stateDir(env)));
    }

    /** Whether any option of this mixin was given (they mean nothing with --verify FILE DEST). */
    boolean anyBesidesVerify() {
        return protocol != null || compress != null || resume || force || stateDir != null;
    }

    private StreamWriting writing(Usage usage) {
        StreamFormat format = StreamFormats.DEFAULT;
        if (protocol != null) {
            format = StreamFormats.forProtocol(protocol).orElseThrow(() -> usage.error("--protocol " + protocol
                    + ": give 3 or 2 (the original's format) or x1 (the extended one)"));
        }
        if (compress == null) {
            return StreamWriting.of(format);
        }
        if (!(format instanceof ExtendedFormat)) {
            throw usage.error("--compress needs the extended format; the original's (--protocol " + protocol
                    + ") has no compressed records");
        }
        if (compress == 0 || compress < ExtendedFormat.Options.MIN_LEVEL || compress > ExtendedFormat.Options.MAX_LEVEL) {
            throw usage.error("--compress " + compress + ": the zstd level is " + ExtendedFormat.Options.MIN_LEVEL
                    + ".." + ExtendedFormat.Options.MAX_LEVEL + ", not 0");
        }
        return new StreamWriting(format, ExtendedFormat.Options.zstd(compress, workers()));
    }

    /**
     * Compression threads: none on small machines, where the sender's own thread and ssh
     * already use the cores (measured: two workers on two busy cores did not pay); up to
     * four on larger ones.
     */
    static int workers() {
        int cores = Runtime.getRuntime().availableProcessors();
        return cores < 4 ? 0 : Math.min(4, cores / 2);
    }

    private Path stateDir(Map<String, String> env) {
        if (stateDir != null) {
            return stateDir;
        }
        String fromEnv = env.get(STATE_DIR_ENV);
        return fromEnv != null && !fromEnv.isEmpty() ? Path.of(fromEnv) : DEFAULT_STATE_DIR;
    }

    /** Turns a message into the command line's usage error. */
    interface Usage {
        RuntimeException error(String message);
    }
}
