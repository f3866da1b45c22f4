package org.lvmsync.bench;

import java.lang.management.ManagementFactory;
import org.lvmsync.changes.RunList;
import org.openjdk.jol.info.GraphLayout;

/**
 * Memory of a run list for a full 10 GiB COW (2.6 million 4 KiB exceptions), per layout:
 * the retained size of the finished list (JOL's walk of the object graph, and the list's
 * own accounting), the bytes allocated while building (every growth step included), and
 * the builder's peak (JOL's walk of the builder just before build(), when it holds the
 * most). Run: {@code java -cp target/benchmarks.jar org.lvmsync.bench.RunListMemory [count]}.
 */
public final class RunListMemory {
    private RunListMemory() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2_621_440;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        System.out.printf("%-11s %10s %9s %14s %14s %16s %14s%n", "layout", "exceptions", "runs",
                "retained(JOL)", "retained(own)", "allocated(build)", "builder peak");
        for (String layout : new String[] {"scattered", "clustered", "sequential"}) {
            long[] chunks = SyntheticCow.oldChunks(layout, count, 42);
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            RunList.Builder builder = RunList.builder(4096);
            for (long c : chunks) {
                builder.add(c);
            }
            long peak = GraphLayout.parseInstance(builder).totalSize();
            RunList runs = builder.build();
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            long jol = GraphLayout.parseInstance(runs).totalSize();
            System.out.printf("%-11s %10d %9d %14d %14d %16d %14d%n", layout, count, runs.runCount(), jol,
                    runs.retainedBytes(), allocated, peak);
        }
    }
}
