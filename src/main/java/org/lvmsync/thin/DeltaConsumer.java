package org.lvmsync.thin;

/**
 * Receives the result of a diff: ranges of virtual blocks in ascending order, never
 * overlapping, adjacent ranges of one kind already joined.
 */
@FunctionalInterface
public interface DeltaConsumer {
    void range(long begin, long length, DeltaKind kind);
}
