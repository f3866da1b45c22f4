package org.lvmsync.thin;

/**
 * A position in one btree, walked in key order with memory bounded by the tree's height.
 *
 * <p>The current item is either a leaf entry (key, value) or a whole subtree not read yet
 * (its block, a lower bound of its keys and an exclusive upper bound, taken from its
 * parent). A walk chooses per subtree whether to {@link #expand()} it (read the node and
 * stand on its first item) or to step over it with {@link #next()} without reading it;
 * that choice is what lets a diff skip the subtrees two trees share.
 *
 * <p>Every node read is validated, and also checked against its place in the tree: a leaf
 * exactly at the depth of the tree's leftmost leaf, keys inside the bounds its parent
 * gives, and no block that is already on the path from the root (a loop). So a damaged
 * tree ends the walk with a {@link CorruptPoolMetadataException}, never with a hang.
 */
final class TreeCursor {
    /** Deeper than any real tree: 2^64 keys fit in 9 levels of nodes a third full. */
    static final int MAX_DEPTH = 32;
    private static final long UNBOUNDED = Long.MAX_VALUE;
    /** "Parent" of a root: the tree's root pointer (NodeReader names it so). */
    private static final long ROOT_POINTER = -2;

    /** Receives the entries of a subtree drained in key order. */
    interface EntrySink {
        void entry(long key, long value);
    }

    /** Receives mappings drained as runs: keys {@code [key, key+length)} to data blocks {@code [data, data+length)}. */
    interface RunSink {
        void run(long key, long data, long length);
    }

    private final NodeReader reader;
    private final long root;
    private final int leafValueSize;
    private final String what;
    private final BtreeNode[] nodes = new BtreeNode[MAX_DEPTH];
    private final int[] index = new int[MAX_DEPTH];
    private final long[] upper = new long[MAX_DEPTH];
    private int top = -1;
    private boolean rootPending = true;
    private int height = -1;

    /**
     * @param what the tree, for messages ("thin device 3's mapping tree")
     */
    TreeCursor(NodeReader reader, long root, int leafValueSize, String what) {
        this.reader = reader;
        this.root = root;
        this.leafValueSize = leafValueSize;
        this.what = what;
    }

    boolean atEnd() {
        return top < 0 && !rootPending;
    }

    /** The current item is a leaf entry (else a subtree). */
    boolean atEntry() {
        return !rootPending && nodes[top].isLeaf();
    }

    /** The entry's key, or the subtree's lower bound. */
    long key() {
        return rootPending ? 0 : nodes[top].key(index[top]);
    }

    /** The entry's value. */
    long value() {
        return nodes[top].value(index[top]);
    }

    /** The node holding the current entry. */
    BtreeNode entryNode() {
        return nodes[top];
    }

    /** The current entry's index in {@link #entryNode()}. */
    int entryIndex() {
        return index[top];
    }

    /** Moves to entry {@code i} of the current leaf; past its end means on to what follows the leaf. */
    void advanceTo(int i) {
        index[top] = i - 1;
        next();
    }

    /** The subtree's block. */
    long block() {
        return rootPending ? root : nodes[top].value(index[top]);
    }

    /** The subtree's exclusive upper bound. */
    long upperBound() {
        if (rootPending) {
            return UNBOUNDED;
        }
        int i = index[top] + 1;
        return i < nodes[top].size() ? nodes[top].key(i) : upper[top];
    }

    /** The subtree's height: 0 for a leaf. Reads the tree's leftmost path the first time. */
    int subtreeHeight() {
        return treeHeight() - (top + 1);
    }

    /** The internal node at {@code h} levels above the leaves on the current path, or null. */
    BtreeNode pathNodeAtHeight(int h) {
        if (height < 0) {
            return null;
        }
        int depth = height - h;
        return depth >= 0 && depth <= top ? nodes[depth] : null;
    }

    /** Steps over the current item: past an entry, or past a whole subtree without reading it. */
    void next() {
        if (rootPending) {
            rootPending = false;
            return;
        }
        index[top]++;
        while (top >= 0 && index[top] >= nodes[top].size()) {
            top--;
            if (top >= 0) {
                index[top]++;
            }
        }
    }

    /**
     * Reads the current subtree's node and stands on its first item (or past it, when it is
     * an empty leaf). Returns the node; with {@code prefetch}, an internal node's children
     * are announced to the block source at once so they are read in parallel.
     */
    BtreeNode expand(boolean prefetch) {
        long lower = key();
        long upperBound = upperBound();
        long block = block();
        long parent = rootPending ? ROOT_POINTER : nodes[top].location();
        int depth = top + 1;
        checkPath(block, depth, parent);
        BtreeNode node = reader.node(block, parent, what, leafValueSize);
        checkPlace(node, depth, lower, upperBound);
        rootPending = false;
        top = depth;
        nodes[top] = node;
        index[top] = -1;
        upper[top] = upperBound;
        next(); // onto entry 0, or past an empty leaf
        if (prefetch && !node.isLeaf()) {
            prefetchChildren(node, null);
        }
        return node;
    }

    /**
     * Stands on the entry with key {@code k}, reading only the nodes on its path; false
     * (and somewhere past it) when the tree has no such key.
     */
    boolean seek(long k) {
        while (!atEnd()) {
            if (atEntry()) {
                if (key() >= k) {
                    return key() == k;
                }
                next();
            } else if (upperBound() <= k) {
                next();
            } else if (key() > k) {
                return false;
            } else {
                expand(false);
            }
        }
        return false;
    }

    /** Emits every entry of the current subtree in key order and steps past it. */
    void drain(EntrySink sink) {
        int base = top;
        expand(true);
        while (top > base) {
            BtreeNode node = nodes[top];
            if (node.isLeaf()) {
                int n = node.size();
                for (int i = index[top]; i < n; i++) {
                    sink.entry(node.key(i), node.value(i));
                }
                index[top] = n - 1;
                next();
            } else {
                expand(true);
            }
        }
    }

    /**
     * Emits every mapping of the current subtree as runs of consecutive keys and data
     * blocks (cut at leaf ends; times ignored) and steps past it: one call per run, not
     * per block, for the bulk of a diff's output.
     */
    void drainRuns(RunSink sink) {
        int base = top;
        expand(true);
        while (top > base) {
            BtreeNode node = nodes[top];
            if (node.isLeaf()) {
                emitRuns(node, index[top], sink);
                index[top] = node.size() - 1;
                next();
            } else {
                expand(true);
            }
        }
    }

    /** The mappings of the current leaf from the current entry on, as runs; steps past the leaf. */
    void drainLeafRuns(RunSink sink) {
        BtreeNode node = nodes[top];
        emitRuns(node, index[top], sink);
        index[top] = node.size() - 1;
        next();
    }

    private static void emitRuns(BtreeNode node, int from, RunSink sink) {
        int n = node.size();
        int i = from;
        while (i < n) {
            long k = node.key(i);
            long d = Layout.dataBlock(node.value(i));
            int j = i + 1;
            while (j < n && node.key(j) == k + (j - i) && Layout.dataBlock(node.value(j)) == d + (j - i)) {
                j++;
            }
            sink.run(k, d, j - i);
            i = j;
        }
    }

    /**
     * Announces the children of internal {@code node}, skipping those {@code peer} (an
     * internal node of the other tree, or null) holds under the same key: those are
     * shared and will not be read. Adjacent blocks go in one hint.
     */
    void prefetchChildren(BtreeNode node, BtreeNode peer) {
        BlockSource source = reader.source();
        long runStart = -1;
        long runLength = 0;
        int j = 0;
        int peerSize = peer == null || peer.isLeaf() ? 0 : peer.size();
        for (int i = 0; i < node.size(); i++) {
            long child = node.value(i);
            long k = node.key(i);
            while (j < peerSize && peer.key(j) < k) {
                j++;
            }
            if (j < peerSize && peer.key(j) == k && peer.value(j) == child) {
                continue;
            }
            if (runLength > 0 && child == runStart + runLength) {
                runLength++;
            } else {
                if (runLength > 0) {
                    source.willNeed(runStart, runLength);
                }
                runStart = child;
                runLength = 1;
            }
        }
        if (runLength > 0) {
            source.willNeed(runStart, runLength);
        }
    }

    private int treeHeight() {
        if (height < 0) {
            height = leftmostDepth();
        }
        return height;
    }

    /** The depth of the leftmost leaf; every leaf must be at that depth. */
    private int leftmostDepth() {
        long[] path = new long[MAX_DEPTH];
        long block = root;
        long parent = ROOT_POINTER;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            for (int d = 0; d < depth; d++) {
                if (path[d] == block) {
                    throw loop(path[depth - 1], block, depth, d);
                }
            }
            path[depth] = block;
            BtreeNode node = reader.node(block, parent, what, leafValueSize);
            if (node.isLeaf()) {
                return depth;
            }
            parent = block;
            block = node.value(0);
        }
        throw new CorruptPoolMetadataException(reader.name(), block, what + " is deeper than " + MAX_DEPTH
                + " levels on its leftmost path: a loop or a damaged tree");
    }

    private void checkPath(long block, int depth, long parent) {
        for (int d = 0; d <= top; d++) {
            if (nodes[d].location() == block) {
                throw loop(nodes[top].location(), block, depth, d);
            }
        }
        if (depth >= MAX_DEPTH) {
            throw new CorruptPoolMetadataException(reader.name(), parent, "a child pointer leads deeper than "
                    + MAX_DEPTH + " levels in " + what + ": a loop or a damaged tree");
        }
    }

    private CorruptPoolMetadataException loop(long from, long to, int depth, int ancestorDepth) {
        return new CorruptPoolMetadataException(reader.name(), from, "btree node: a child pointer leads back to block "
                + to + ", its own ancestor at depth " + ancestorDepth + " (a loop in " + what + " at depth " + depth + ")");
    }

    private void checkPlace(BtreeNode node, int depth, long lower, long upperBound) {
        int h = treeHeight();
        if (node.isLeaf() != (depth == h)) {
            throw node.corrupt(reader.name(), (node.isLeaf() ? "a leaf" : "an internal node") + " at depth " + depth
                    + " of " + what + ", whose leaves are at depth " + h);
        }
        int n = node.size();
        if (n > 0 && (node.key(0) < lower || node.key(n - 1) >= upperBound)) {
            throw node.corrupt(reader.name(), "keys " + node.key(0) + ".." + node.key(n - 1) + " fall outside ["
                    + lower + ", " + (upperBound == UNBOUNDED ? "end" : Long.toString(upperBound))
                    + ") that its parent gives it in " + what);
        }
    }
}
