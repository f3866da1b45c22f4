package org.lvmsync.thin;

/**
 * The diff of two thin devices of one pool, and the mappings of one device.
 *
 * <p>{@link #diff} walks both mapping trees together and steps over every subtree they
 * share without reading it, so its cost follows the amount of change, not the size of the
 * device; memory stays flat (a cursor per tree, nothing per mapping). A virtual block has
 * changed when its data block differs, or when it is mapped on one side only; the time
 * field of a mapping is ignored.
 */
public final class ThinDiff {
    private ThinDiff() {
    }

    /** Sends the ranges where {@code rightDev} differs from {@code leftDev} to {@code out}, ascending. */
    public static DiffStats diff(ThinMetadata metadata, long leftDev, long rightDev, DeltaConsumer out) {
        TreeCursor left = metadata.mappings(leftDev);
        TreeCursor right = metadata.mappings(rightDev);
        long before = metadata.nodesRead();
        Changes changes = new Changes(out);
        long skipped = Lockstep.walk(left, right, false, changes);
        changes.finish();
        return new DiffStats(metadata.nodesRead() - before, skipped);
    }

    /** Sends every mapping of {@code dev} to {@code out} as runs joined the way thin_dump joins them. */
    public static DiffStats mappings(ThinMetadata metadata, long dev, MappingConsumer out) {
        TreeCursor tree = metadata.mappings(dev);
        long before = metadata.nodesRead();
        Runs runs = new Runs(out);
        tree.drain(runs);
        runs.finish();
        return new DiffStats(metadata.nodesRead() - before, 0);
    }

    /** Joins changed blocks of one kind that follow each other into ranges. */
    private static final class Changes implements Lockstep.PairSink {
        private final DeltaConsumer out;
        private DeltaKind kind;
        private long begin;
        private long end;

        Changes(DeltaConsumer out) {
            this.out = out;
        }

        @Override
        public void leftOnly(long key, long data, long length) {
            add(key, length, DeltaKind.LEFT_ONLY);
        }

        @Override
        public void rightOnly(long key, long data, long length) {
            add(key, length, DeltaKind.RIGHT_ONLY);
        }

        @Override
        public void both(long key, long leftData, long rightData, long length) {
            if (leftData != rightData) { // along a run both sides step by one: one comparison decides it all
                add(key, length, DeltaKind.DIFFERENT);
            }
        }

        private void add(long key, long length, DeltaKind k) {
            if (k == kind && key == end) {
                end += length;
                return;
            }
            finish();
            kind = k;
            begin = key;
            end = key + length;
        }

        void finish() {
            if (kind != null) {
                out.range(begin, end - begin, kind);
                kind = null;
            }
        }
    }

    /** Joins mappings with consecutive virtual and data blocks and one time into runs. */
    private static final class Runs implements TreeCursor.EntrySink {
        private final MappingConsumer out;
        private long begin = -1;
        private long dataBegin;
        private long length;
        private int time;

        Runs(MappingConsumer out) {
            this.out = out;
        }

        @Override
        public void entry(long key, long value) {
            long data = Layout.dataBlock(value);
            int t = Layout.time(value);
            if (length > 0 && key == begin + length && data == dataBegin + length && t == time) {
                length++;
                return;
            }
            finish();
            begin = key;
            dataBegin = data;
            length = 1;
            time = t;
        }

        void finish() {
            if (length > 0) {
                out.run(begin, dataBegin, length, time);
                length = 0;
            }
        }
    }
}
