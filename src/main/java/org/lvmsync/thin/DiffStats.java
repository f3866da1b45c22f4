package org.lvmsync.thin;

/**
 * What a walk cost: btree nodes read (and checksummed), and subtrees both sides share
 * that were stepped over without being read.
 */
public record DiffStats(long nodesRead, long sharedSubtreesSkipped) {
}
