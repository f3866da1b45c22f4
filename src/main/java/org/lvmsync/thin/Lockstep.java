package org.lvmsync.thin;

/**
 * Walks two mapping trees together in key order and reports every virtual block mapped
 * on either side.
 *
 * <p>Whenever both cursors stand on subtrees with the same block number, the mappings
 * beneath are the same on both sides (blocks are copy-on-write and never change once
 * shared): with {@code readShared} false the subtree is stepped over on both sides without
 * being read, which is what makes a diff cost follow the change, not the device size.
 * Otherwise a subtree is read only when its keys could meet the other side's next item;
 * of two overlapping subtrees the taller is read first, because the other one may turn
 * out to be shared with one of its children (trees of one origin can differ in height).
 *
 * <p>Correct for any choice of what to read: an entry is reported only once the other
 * side is known to hold nothing at a smaller or equal key that was not compared with it.
 */
final class Lockstep {
    /**
     * What the walk finds, in ascending key order, as runs: virtual blocks
     * {@code [key, key+length)} mapped to consecutive data blocks from the given ones.
     * Runs may be cut anywhere (at leaf ends, at the other side's boundaries); a sink that
     * cares joins them.
     */
    interface PairSink {
        void leftOnly(long key, long data, long length);

        void rightOnly(long key, long data, long length);

        void both(long key, long leftData, long rightData, long length);
    }

    private final TreeCursor left;
    private final TreeCursor right;
    private final boolean readShared;
    private final PairSink sink;
    private final TreeCursor.RunSink leftOnly;
    private final TreeCursor.RunSink rightOnly;
    private final TreeCursor.RunSink shared;
    private long sharedSkipped;

    // the run being joined before it goes to the sink: one call per run, not per block
    private static final int NONE = -1;
    private static final int LEFT = 0;
    private static final int RIGHT = 1;
    private static final int BOTH = 2;
    private int runKind = NONE;
    private long runKey;
    private long runLeft;
    private long runRight;
    private long runLength;

    private Lockstep(TreeCursor left, TreeCursor right, boolean readShared, PairSink sink) {
        this.left = left;
        this.right = right;
        this.readShared = readShared;
        this.sink = sink;
        this.leftOnly = (k, d, n) -> emit(LEFT, k, d, 0, n);
        this.rightOnly = (k, d, n) -> emit(RIGHT, k, 0, d, n);
        this.shared = (k, d, n) -> emit(BOTH, k, d, d, n);
    }

    /** Runs the walk; returns the number of shared subtrees stepped over unread. */
    static long walk(TreeCursor left, TreeCursor right, boolean readShared, PairSink sink) {
        Lockstep walk = new Lockstep(left, right, readShared, sink);
        walk.run();
        return walk.sharedSkipped;
    }

    private void run() {
        while (!left.atEnd() && !right.atEnd()) {
            boolean l = left.atEntry();
            boolean r = right.atEntry();
            if (l && r) {
                mergeLeaves();
            } else if (l) {
                entryAgainstSubtree(left, right, true);
            } else if (r) {
                entryAgainstSubtree(right, left, false);
            } else {
                subtrees();
            }
        }
        drainRest(left, leftOnly);
        drainRest(right, rightOnly);
        flush();
    }

    /** Both sides stand in a leaf: merge the two leaves' arrays until one of them ends. */
    private void mergeLeaves() {
        BtreeNode ln = left.entryNode();
        BtreeNode rn = right.entryNode();
        int i = left.entryIndex();
        int j = right.entryIndex();
        int lsize = ln.size();
        int rsize = rn.size();
        while (i < lsize && j < rsize) {
            long lk = ln.key(i);
            long rk = rn.key(j);
            if (lk < rk) {
                emit(LEFT, lk, Layout.dataBlock(ln.value(i++)), 0, 1);
            } else if (lk > rk) {
                emit(RIGHT, rk, 0, Layout.dataBlock(rn.value(j++)), 1);
            } else {
                emit(BOTH, lk, Layout.dataBlock(ln.value(i++)), Layout.dataBlock(rn.value(j++)), 1);
            }
        }
        left.advanceTo(i);
        right.advanceTo(j);
    }

    /** Extends the pending run when this one continues it on every side it maps; else hands the pending one on. */
    private void emit(int kind, long key, long leftData, long rightData, long length) {
        if (kind == runKind && key == runKey + runLength
                && (kind == RIGHT || leftData == runLeft + runLength)
                && (kind == LEFT || rightData == runRight + runLength)) {
            runLength += length;
            return;
        }
        flush();
        runKind = kind;
        runKey = key;
        runLeft = leftData;
        runRight = rightData;
        runLength = length;
    }

    private void flush() {
        switch (runKind) {
            case LEFT -> sink.leftOnly(runKey, runLeft, runLength);
            case RIGHT -> sink.rightOnly(runKey, runRight, runLength);
            case BOTH -> sink.both(runKey, runLeft, runRight, runLength);
            default -> {
                return;
            }
        }
        runKind = NONE;
    }

    /** An entry below everything left in the other side's subtree is one-sided; else read the subtree. */
    private void entryAgainstSubtree(TreeCursor entrySide, TreeCursor subtreeSide, boolean entryIsLeft) {
        long k = entrySide.key();
        if (k < subtreeSide.key()) {
            long d = Layout.dataBlock(entrySide.value());
            if (entryIsLeft) {
                emit(LEFT, k, d, 0, 1);
            } else {
                emit(RIGHT, k, 0, d, 1);
            }
            entrySide.next();
        } else {
            expand(subtreeSide, entrySide);
        }
    }

    private void subtrees() {
        if (left.block() == right.block()) {
            if (readShared) {
                left.drainRuns(shared);
            } else {
                left.next();
                sharedSkipped++;
            }
            right.next();
        } else if (left.upperBound() <= right.key()) {
            expand(left, right);
        } else if (right.upperBound() <= left.key()) {
            expand(right, left);
        } else {
            int lh = left.subtreeHeight();
            int rh = right.subtreeHeight();
            if (lh > rh) {
                expand(left, right);
            } else if (rh > lh) {
                expand(right, left);
            } else {
                expandBoth();
            }
        }
    }

    /** Reads one side's subtree; its children the other side holds under the same key are not prefetched. */
    private void expand(TreeCursor side, TreeCursor other) {
        int h = side.subtreeHeight();
        BtreeNode node = side.expand(false);
        if (!node.isLeaf()) {
            side.prefetchChildren(node, other.pathNodeAtHeight(h));
        }
    }

    /** Two different subtrees of one height: both must be read; prefetch only the children they do not share. */
    private void expandBoth() {
        BtreeNode l = left.expand(false);
        BtreeNode r = right.expand(false);
        if (!l.isLeaf()) {
            left.prefetchChildren(l, r);
            right.prefetchChildren(r, l);
        }
    }

    private void drainRest(TreeCursor side, TreeCursor.RunSink oneSided) {
        while (!side.atEnd()) {
            if (side.atEntry()) {
                side.drainLeafRuns(oneSided);
            } else {
                side.drainRuns(oneSided);
            }
        }
    }
}
