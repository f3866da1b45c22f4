package org.lvmsync.bench;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

import org.lvmsync.LvmsyncException;
import org.lvmsync.thin.ThinDelta;

/**
 * The thin pieces of scripts/bench-thin, until the CLI has them:
 * <pre>
 *   ThinBenchTool make FILE BLOCKS FRACTION CLUSTER   metadata as in ThinDiffBenchmark
 *   ThinBenchTool thin_delta ARGS...                  our thin_delta-compatible mode
 * </pre>
 */
public final class ThinBenchTool {
    private ThinBenchTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("make") && args.length == 5) {
            ThinFixtures.make(Path.of(args[1]), Long.parseLong(args[2]), Double.parseDouble(args[3]),
                    Integer.parseInt(args[4]));
        } else if (args.length >= 1 && args[0].equals("thin_delta")) {
            PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
            try {
                ThinDelta.run(ThinDelta.parse(Arrays.asList(args).subList(1, args.length)), out);
            } catch (LvmsyncException e) {
                out.flush();
                System.err.println("lvmsync: " + e.getMessage());
                System.exit(org.lvmsync.cli.ExitCode.of(e.failureClass()).code);
            }
        } else {
            System.err.println("usage: ThinBenchTool make FILE BLOCKS FRACTION CLUSTER | thin_delta ARGS...");
            System.exit(2);
        }
    }
}
