package org.lvmsync.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.lvmsync.Log;
import org.lvmsync.job.ApplyJob;
import org.lvmsync.job.ApplyRequest;
import org.lvmsync.job.SendJob;
import org.lvmsync.job.SendMode;
import org.lvmsync.job.SendRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The command line of the original lvmsync, option for option. It only checks which
 * options go together, builds a request and hands it to the domain.
 */
@Command(name = "lvmsync",
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        customSynopsis = {
            "lvmsync [options] <snapshot> [--stdout | [<host>:]<destdevice>]",
            "       lvmsync [options] --full <snapshot> [--stdout | [<host>:]<destdevice>]",
            "       lvmsync [options] --since <older snapshot> <snapshot> [--stdout | [<host>:]<destdevice>]",
            "       lvmsync [options] --apply <changes file|-> <destdevice>",
            "       lvmsync thin-delta [thin_delta's options] <metadata device or file>",
            "       lvmsync --version | --help"},
        description = {
            "",
            "Send the blocks changed since an LVM snapshot was taken to another block device:",
            "locally, over ssh (<host>:<destdevice>), or as a change stream on stdout that",
            "--apply writes later. --snapback saves the overwritten bytes as an undo stream.",
            "Classic (dm-snapshot) and thin snapshots; --full makes the first copy, --since",
            "sends what differs between two thin snapshots of one origin.",
            ""},
        footer = {
            "",
            "Exit codes: 0 ok, 1 failure, 2 usage error, 3 corrupt stream or metadata,",
            "4 the remote side failed, 130 interrupted."})
public final class LvmsyncCommand implements Callable<Integer> {
    private static final List<String> DEFAULT_RSH = List.of("ssh");

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..2", paramLabel = "<args>", hidden = true)
    List<String> positional = List.of();

    @Option(names = {"-a", "--apply"}, paramLabel = "<file|->",
            description = "Apply a change stream (a file, or - for stdin) to <destdevice>.")
    String apply;

    @Option(names = "--server", description = "Deprecated: the same as --apply -.")
    boolean server;

    @Option(names = {"-s", "--stdout"}, description = "Write the change stream to stdout instead of a device.")
    boolean stdout;

    @Option(names = {"-b", "--snapback"}, paramLabel = "<file>",
            description = "Before overwriting, save the destination's old bytes to <file> (a new file)"
                    + " as a change stream that undoes this run.")
    Path snapback;

    @Option(names = {"-r", "--data-source"}, paramLabel = "<device>",
            description = "Read changed data from <device> instead of the snapshot's origin.")
    String dataSource;

    @Option(names = {"-e", "--rsh"}, paramLabel = "<command>",
            description = "Remote shell for <host>:<destdevice> (default: ssh); split into words like rsync.")
    String rsh;

    @Option(names = "--skip-past-end",
            description = "Skip records that lie past the end of the destination block device, with a"
                    + " warning, instead of failing (as the original did).")
    boolean skipPastEnd;

    @Option(names = "--full",
            description = "Send the whole snapshot (the first copy): a thin snapshot's mapped blocks, read from it,"
                    + " the rest as zeros (skipped on a blank thin destination); a classic snapshot's origin, whole.")
    boolean full;

    @Option(names = "--since", paramLabel = "<older snapshot>",
            description = "Send what differs between <older snapshot> and <snapshot>, two thin snapshots of one"
                    + " origin, read from <snapshot>.")
    String since;

    @Option(names = "--zero-fill", paramLabel = "<bytes>", hidden = true,
            description = "With --apply: afterwards, what no record covered up to <bytes> reads as zeros"
                    + " (a remote --full of a thin snapshot passes it).")
    Long zeroFill;

    @Option(names = {"-v", "--verbose"}, negatable = true, description = "Say what is going on.")
    boolean verbose;

    @Option(names = {"-d", "--debug"}, negatable = true, description = "Say even more; stack traces on errors.")
    boolean debug;

    @Option(names = {"-q", "--quiet"}, negatable = true, description = "Only errors.")
    boolean quiet;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    boolean versionRequested;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
    boolean helpRequested;

    @Override
    public Integer call() throws Exception {
        if (quiet && (verbose || debug)) {
            throw usage("--quiet cannot be combined with --verbose or --debug");
        }
        Log.setLevel(debug ? Log.Level.DEBUG : verbose ? Log.Level.VERBOSE : quiet ? Log.Level.QUIET : Log.Level.NORMAL);
        if (server) {
            if (apply != null) {
                throw usage("--server is the old name of --apply -; give only one of them");
            }
            Log.warn("--server is deprecated; use --apply -");
            apply = ApplyRequest.STDIN;
        }
        if (apply != null) {
            ApplyJob.run(applyRequest(), zeroFill());
        } else {
            SendJob.run(sendRequest(), sendMode());
        }
        return ExitCode.OK.code;
    }

    private ApplyRequest applyRequest() {
        if (stdout) {
            throw usage("--stdout cannot be combined with --apply");
        }
        if (dataSource != null || rsh != null) {
            throw usage((dataSource != null ? "--data-source" : "--rsh") + " is for sending; it has no meaning with --apply");
        }
        if (positional.size() != 1) {
            throw usage(positional.isEmpty()
                    ? "--apply needs the destination device"
                    : "--apply takes one destination device, got " + positional.size() + " arguments");
        }
        return new ApplyRequest(apply, Path.of(positional.get(0)), Optional.ofNullable(snapback), skipPastEnd);
    }

    private OptionalLong zeroFill() {
        if (full || since != null) {
            throw usage((full ? "--full" : "--since") + " is for sending; it has no meaning with --apply");
        }
        if (zeroFill != null && zeroFill < 0) {
            throw usage("--zero-fill needs a size in bytes, not " + zeroFill);
        }
        return zeroFill == null ? OptionalLong.empty() : OptionalLong.of(zeroFill);
    }

    private SendMode sendMode() {
        if (zeroFill != null) {
            throw usage("--zero-fill is for --apply");
        }
        if (full && since != null) {
            throw usage("--full sends the whole snapshot and --since what differs from an older one; give one of them");
        }
        return full ? new SendMode.Full() : since != null ? new SendMode.Since(since) : new SendMode.Changes();
    }

    private SendRequest sendRequest() {
        if (positional.isEmpty()) {
            throw usage("missing <snapshot>");
        }
        String snapshot = positional.get(0);
        if (stdout) {
            if (snapback != null) {
                throw usage("--snapback cannot be used with --stdout; give it to the lvmsync --apply that writes the device");
            }
            if (skipPastEnd) {
                throw usage("--skip-past-end cannot be used with --stdout; give it to lvmsync --apply");
            }
            if (positional.size() != 1) {
                throw usage("--stdout takes no destination, got " + positional.get(1));
            }
            return new SendRequest(snapshot, Optional.empty(), Optional.empty(), true,
                    Optional.empty(), Optional.ofNullable(dataSource), DEFAULT_RSH, false);
        }
        if (positional.size() != 2) {
            throw usage("missing destination: give [<host>:]<destdevice> or --stdout");
        }
        String dest = positional.get(1);
        int colon = dest.indexOf(':');
        Optional<String> host = colon < 0 ? Optional.empty() : Optional.of(dest.substring(0, colon));
        String device = colon < 0 ? dest : dest.substring(colon + 1);
        if (host.isPresent() && host.get().isEmpty() || device.isEmpty()) {
            throw usage("destination " + dest + " is not of the form [<host>:]<destdevice>");
        }
        // like the original, -e means something only when there is a remote shell to run
        List<String> rshWords = host.isPresent() ? rshWords() : DEFAULT_RSH;
        return new SendRequest(snapshot, host, Optional.of(device), false,
                Optional.ofNullable(snapback), Optional.ofNullable(dataSource), rshWords, skipPastEnd);
    }

    private List<String> rshWords() {
        try {
            return CommandWords.split(rsh == null ? "ssh" : rsh);
        } catch (IllegalArgumentException e) {
            throw usage("--rsh: " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
