package org.lvmsync.thin;

import java.util.OptionalLong;

/**
 * Which superblock the trees are read from: the live one in block 0 (only safe while the
 * pool is not active, e.g. on a file copy), or the metadata snapshot that
 * {@code reserve_metadata_snap} made, whose block the live superblock names as its held
 * root. A live pool rewrites its trees under the reader; its metadata snapshot stays put.
 */
public sealed interface MetadataRoot {
    record Live() implements MetadataRoot {
    }

    /**
     * The held metadata snapshot. With {@code expected} (the held root the pool status
     * reported, or the user gave), the superblock must name that same block: a mismatch
     * means the view of the device is stale or the snapshot changed since.
     */
    record Held(OptionalLong expected) implements MetadataRoot {
    }

    static MetadataRoot live() {
        return new Live();
    }

    static MetadataRoot held() {
        return new Held(OptionalLong.empty());
    }

    static MetadataRoot heldAt(long block) {
        return new Held(OptionalLong.of(block));
    }
}
