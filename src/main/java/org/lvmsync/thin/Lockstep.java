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
    /** What the walk finds, in ascending key order (values are raw mapping values). */
    interface PairSink {
        void leftOnly(long key, long value);

        void rightOnly(long key, long value);

        void both(long key, long leftValue, long rightValue);
    }

    private final TreeCursor left;
    private final TreeCursor right;
    private final boolean readShared;
    private final PairSink sink;
    private final TreeCursor.EntrySink leftOnly;
    private final TreeCursor.EntrySink rightOnly;
    private final TreeCursor.EntrySink shared;
    private long sharedSkipped;

    private Lockstep(TreeCursor left, TreeCursor right, boolean readShared, PairSink sink) {
        this.left = left;
        this.right = right;
        this.readShared = readShared;
        this.sink = sink;
        this.leftOnly = sink::leftOnly;
        this.rightOnly = sink::rightOnly;
        this.shared = (k, v) -> sink.both(k, v, v);
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
                entries();
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
    }

    private void entries() {
        long lk = left.key();
        long rk = right.key();
        if (lk < rk) {
            sink.leftOnly(lk, left.value());
            left.next();
        } else if (lk > rk) {
            sink.rightOnly(rk, right.value());
            right.next();
        } else {
            sink.both(lk, left.value(), right.value());
            left.next();
            right.next();
        }
    }

    /** An entry below everything left in the other side's subtree is one-sided; else read the subtree. */
    private void entryAgainstSubtree(TreeCursor entrySide, TreeCursor subtreeSide, boolean entryIsLeft) {
        long k = entrySide.key();
        if (k < subtreeSide.key()) {
            if (entryIsLeft) {
                sink.leftOnly(k, entrySide.value());
            } else {
                sink.rightOnly(k, entrySide.value());
            }
            entrySide.next();
        } else {
            expand(subtreeSide, entrySide);
        }
    }

    private void subtrees() {
        if (left.block() == right.block()) {
            if (readShared) {
                left.drain(shared);
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

    private static void drainRest(TreeCursor side, TreeCursor.EntrySink oneSided) {
        while (!side.atEnd()) {
            if (side.atEntry()) {
                oneSided.entry(side.key(), side.value());
                side.next();
            } else {
                side.drain(oneSided);
            }
        }
    }
}
