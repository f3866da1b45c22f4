package org.lvmsync.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.lvmsync.Log;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.os.Faults;
import org.lvmsync.os.Faults.Call;
import org.lvmsync.os.Faults.Fault;

/**
 * Runs one scenario once per injection point: a clean run counts the calls of each kind
 * in the scenario's scope, then every call of every kind is made to fail once with each
 * errno, and every call that moves bytes is made to come back short. After each run the
 * scenario judges what it left; the sweep also checks that no descriptor stayed open.
 */
final class Sweep {
    /** What one scenario does: put its files back, run, and judge the result. */
    interface Scenario {
        /** Which descriptors are watched (their names: paths, pipe ends). */
        Predicate<String> scope();

        /** Back to the state before the run (destination content, no undo file). */
        void reset() throws IOException;

        /** One run; returns the exit status it would end the process with. */
        int run();

        /**
         * Null if what the run left is right, else what is wrong. {@code mustSucceed} for
         * faults a correct program rides out (EINTR, short transfers).
         */
        String judge(int status, String stderr, boolean mustSucceed) throws IOException;
    }

    record Point(Call call, long nth, Fault fault) {
        @Override
        public String toString() {
            return call + " #" + nth + " " + switch (fault) {
                case Fault.Fail f -> errnoName(f.errno());
                case Fault.Short s -> "short";
            };
        }
    }

    /** Points tried and the ones not survived, with the reason. */
    record Result(String name, int tried, List<String> failed, Map<Call, Long> calls, long millis) {
        int survived() {
            return tried - failed.size();
        }

        String summary() {
            return String.format("fault sweep %s: %d points tried, %d survived (%.1f%%) in %.1f s; calls %s",
                    name, tried, survived(), tried == 0 ? 0.0 : 100.0 * survived() / tried, millis / 1000.0, calls);
        }
    }

    static final List<Fault> FAILURES = List.of(new Fault.Fail(errno_h.EIO()), new Fault.Fail(errno_h.ENOSPC()),
            new Fault.Fail(errno_h.EPIPE()), new Fault.Fail(errno_h.EINTR()));

    private Sweep() {
    }

    static Result run(String name, Scenario scenario) throws IOException {
        long start = System.nanoTime();
        Map<Call, Long> calls = countCalls(scenario);
        int tried = 0;
        List<String> failed = new ArrayList<>();
        for (Call call : Call.values()) {
            for (long nth = 1; nth <= calls.get(call); nth++) {
                for (Fault fault : faults(call)) {
                    tried++;
                    Point point = new Point(call, nth, fault);
                    String wrong = tryPoint(scenario, point);
                    if (wrong != null) {
                        failed.add(point + ": " + wrong);
                    }
                }
            }
        }
        scenario.reset();
        return new Result(name, tried, failed, calls, (System.nanoTime() - start) / 1_000_000);
    }

    private static List<Fault> faults(Call call) {
        List<Fault> all = new ArrayList<>(FAILURES);
        if (call.transfers()) {
            all.add(new Fault.Short());
        }
        return all;
    }

    /**
     * Clean runs: they must succeed, and tell how many calls of each kind there are. Two of
     * them, and the fewer calls of each kind count: a blocking write into a pipe that a
     * signal cuts short makes one more write of the rest, and that is the kernel's choice,
     * not ours (the CI machine's first, cold run once did).
     */
    private static Map<Call, Long> countCalls(Scenario scenario) throws IOException {
        Map<Call, Long> first = countOnce(scenario);
        Map<Call, Long> second = countOnce(scenario);
        Map<Call, Long> fewer = new TreeMap<>();
        first.forEach((call, n) -> fewer.put(call, Math.min(n, second.getOrDefault(call, 0L))));
        return fewer;
    }

    private static Map<Call, Long> countOnce(Scenario scenario) throws IOException {
        scenario.reset();
        Map<Call, Long> counts;
        Captured run;
        try (Faults.Plan plan = Faults.count(scenario.scope())) {
            run = capture(scenario);
            counts = plan.counts();
        }
        String wrong = scenario.judge(run.status, run.stderr, true);
        if (wrong != null) {
            throw new AssertionError("the run without faults is already wrong: " + wrong + "\n" + run.stderr);
        }
        return counts;
    }

    private static String tryPoint(Scenario scenario, Point point) throws IOException {
        scenario.reset();
        List<String> before = openDescriptors();
        Captured run;
        boolean fired;
        try (Faults.Plan plan = Faults.arm(scenario.scope(), point.call(), point.nth(), point.fault())) {
            run = capture(scenario);
            fired = plan.fired();
        }
        if (!fired) {
            return "the call was never made (the run is not deterministic)";
        }
        List<String> after = openDescriptors();
        if (!after.equals(before)) {
            List<String> leaked = new ArrayList<>(after);
            before.forEach(leaked::remove);
            return "descriptors left open: " + leaked + " (exit " + run.status + ", " + run.stderr.strip() + ")";
        }
        boolean mustSucceed = point.fault() instanceof Fault.Short
                || point.fault() instanceof Fault.Fail f && f.errno() == errno_h.EINTR();
        String wrong = scenario.judge(run.status, run.stderr, mustSucceed);
        return wrong == null ? null : wrong + " (exit " + run.status + ", said: " + run.stderr.strip() + ")";
    }

    private record Captured(int status, String stderr) {
    }

    private static Captured capture(Scenario scenario) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = Log.stream();
        int status;
        try (PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Log.setStream(stream);
            status = scenario.run();
        } finally {
            Log.setStream(saved);
            Log.setLevel(Log.Level.NORMAL);
        }
        return new Captured(status, err.toString(StandardCharsets.UTF_8));
    }

    /** What each open descriptor of this process points to, sorted (the listing's own is left out). */
    static List<String> openDescriptors() throws IOException {
        List<String> targets = new ArrayList<>();
        Path self = Path.of("/proc/self/fd");
        try (var fds = Files.newDirectoryStream(self)) {
            for (Path fd : fds) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException gone) {
                    // the directory stream's own descriptor, closed by now
                }
            }
        }
        targets.removeIf(t -> t.equals(self.toString()) || t.startsWith("/proc/") && t.endsWith("/fd"));
        targets.sort(null);
        return targets;
    }

    /**
     * The one-line rule for a failed run: apart from the warnings a clean run also gives,
     * stderr holds exactly one line, {@code lvmsync: ...}, no summary that claims the work
     * is done, and no internal error.
     */
    static String oneClearLine(String stderr, Predicate<String> expectedWarning) {
        List<String> lines = stderr.lines().filter(l -> !l.isBlank()).filter(expectedWarning.negate()).toList();
        if (lines.size() != 1) {
            return lines.size() + " lines instead of one";
        }
        String line = lines.get(0);
        if (!line.startsWith("lvmsync: ") || line.contains("internal error")) {
            return "not a clear error line: " + line;
        }
        return null;
    }

    private static final Map<Integer, String> ERRNO_NAMES = new TreeMap<>(Map.of(
            errno_h.EIO(), "EIO", errno_h.ENOSPC(), "ENOSPC", errno_h.EPIPE(), "EPIPE", errno_h.EINTR(), "EINTR"));

    static String errnoName(int errno) {
        return ERRNO_NAMES.getOrDefault(errno, "errno " + errno);
    }
}
