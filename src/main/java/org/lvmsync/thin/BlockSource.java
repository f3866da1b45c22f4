package org.lvmsync.thin;

import java.lang.foreign.MemorySegment;

/**
 * Where metadata blocks come from: an image in memory (tests) or a read-only mapping of a
 * metadata device or file ({@link MappedMetadata}). The parsing never does I/O itself; it
 * asks for blocks by number and may say which blocks it will want soon.
 */
public interface BlockSource extends AutoCloseable {
    /** The device or file, for messages. */
    String name();

    /** Whole 4096-byte blocks available; block numbers at or past it do not exist (truncation). */
    long blockCount();

    /**
     * Block {@code blocknr} ({@code 0 <= blocknr < blockCount()}) as a 4096-byte segment,
     * borrowed: valid until this source is closed.
     */
    MemorySegment block(long blocknr);

    /** A hint that blocks {@code [first, first+count)} will be read soon; nothing by default. */
    default void willNeed(long first, long count) {
    }

    /** Lets go of what this source holds; nothing by default. */
    @Override
    default void close() {
    }

    /** A metadata image held in memory (the segment's whole blocks). */
    static BlockSource of(String name, MemorySegment image) {
        long count = image.byteSize() / Layout.BLOCK_SIZE;
        return new BlockSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long blockCount() {
                return count;
            }

            @Override
            public MemorySegment block(long blocknr) {
                return image.asSlice(blocknr * Layout.BLOCK_SIZE, Layout.BLOCK_SIZE);
            }
        };
    }
}
