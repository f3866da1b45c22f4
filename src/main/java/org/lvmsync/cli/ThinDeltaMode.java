package org.lvmsync.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.thin.ThinDelta;

/**
 * {@code lvmsync thin-delta ...}: thin_delta's interface and output (see {@link ThinDelta}),
 * for the tools that call thin_delta. The word cannot be a snapshot: those always hold a
 * '/'. The XML goes to stdout, the data stream of this mode; errors are one line on stderr.
 */
final class ThinDeltaMode {
    static final String WORD = "thin-delta";
    private static final int BUFFER = 1 << 16;

    private ThinDeltaMode() {
    }

    static int run(List<String> args) {
        if (args.contains("-h") || args.contains("--help")) {
            System.out.println("Usage: lvmsync thin-delta [--metadata-snap[=BLOCK]] --snap1 ID --snap2 ID [--verbose]"
                    + " <metadata device or file>");
            System.out.println("The differences between two thin devices of a pool, as thin_delta prints them.");
            return ExitCode.OK.code;
        }
        try {
            ThinDelta.Options options = ThinDelta.parse(args);
            PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), BUFFER),
                    false, StandardCharsets.UTF_8);
            ThinDelta.run(options, out);
            out.flush();
            return ExitCode.OK.code;
        } catch (LvmsyncException e) {
            Log.error(e.getMessage());
            return ExitCode.of(e.failureClass()).code;
        } catch (Exception e) {
            return Main.runtimeError(e);
        }
    }
}
