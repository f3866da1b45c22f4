package org.lvmsync.thin;

/**
 * Receives one device's mappings as runs, in ascending order: virtual blocks
 * {@code [begin, begin+length)} map to data blocks {@code [dataBegin, dataBegin+length)},
 * all written at snapshot epoch {@code time} (thin_dump's range and single mappings).
 */
@FunctionalInterface
public interface MappingConsumer {
    void run(long begin, long dataBegin, long length, int time);
}
