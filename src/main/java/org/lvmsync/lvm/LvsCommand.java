package org.lvmsync.lvm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;

/**
 * Asks {@code lvs} (LVM's supported report interface) about a volume group, from an
 * argument vector, never a shell string; one run per VG, remembered. LVM returns status
 * 5 with an empty report for a VG it does not find: that is "no LVs", not a failure.
 */
public final class LvsCommand implements LvmView {
    /** lvs waits for LVM's lock; a stuck lock must not hang lvmsync for ever. */
    private static final long TIMEOUT_SECONDS = 120;
    private static final int NOT_FOUND = 5;

    private final String lvs;
    private final Map<String, List<LvInfo>> seen = new HashMap<>();

    public LvsCommand() {
        this("lvs");
    }

    /** Another lvs program (tests). */
    LvsCommand(String lvs) {
        this.lvs = lvs;
    }

    /** The argument vector for {@code vg}. */
    List<String> argv(String vg) {
        return List.of(lvs, "--reportformat", "json", "--units", "b", "--nosuffix", "-a", "-o", LvReport.FIELDS, vg);
    }

    @Override
    public List<LvInfo> volumeGroup(String vg) throws IOException {
        List<LvInfo> known = seen.get(vg);
        if (known == null) {
            known = run(vg);
            seen.put(vg, known);
        }
        return known;
    }

    private List<LvInfo> run(String vg) throws IOException {
        List<String> argv = argv(vg);
        Log.debug("running " + String.join(" ", argv));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LVM_SUPPRESS_FD_WARNINGS", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new LvmsyncException(FailureClass.ENVIRONMENT, "cannot run " + lvs + " (" + e.getMessage()
                    + "): thin snapshots need LVM's tools (install lvm2)", e);
        }
        p.getOutputStream().close();
        StringBuilder err = new StringBuilder();
        Thread errors = Thread.ofVirtual().start(() -> err.append(drain(p.getErrorStream())));
        String out = drain(p.getInputStream());
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LvmsyncException(FailureClass.ENVIRONMENT, String.join(" ", argv) + " did not finish in "
                        + TIMEOUT_SECONDS + " s (is another LVM command holding the lock?)");
            }
            errors.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running " + lvs);
        }
        int status = p.exitValue();
        if (status != 0 && status != NOT_FOUND) {
            throw new LvmsyncException(FailureClass.ENVIRONMENT, String.join(" ", argv) + " failed with exit status "
                    + status + firstLine(err.toString()));
        }
        List<LvInfo> report = LvReport.parse(out);
        return status == NOT_FOUND && report.isEmpty() ? List.of() : List.copyOf(report);
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String firstLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().map(l -> ": " + l).orElse("");
    }
}
