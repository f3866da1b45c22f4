package org.lvmsync.cow;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.lvmsync.sync.ChangeSource;
import org.lvmsync.sync.DirectReader;
import org.lvmsync.sync.RunList;

/**
 * The changes of a classic (dm-snapshot) snapshot: the exception store on its COW device,
 * read with O_DIRECT so the kernel's latest metadata is seen without dropping any other
 * cache, and the origin to read the changed chunks from.
 *
 * @param cowDevice  the snapshot's COW device, as named by the snapshot's table
 * @param origin     the origin LV (or whatever the data should be read from)
 * @param originSize bytes of the origin: exceptions beyond it are corrupt
 * @param chunkBytes the chunk size the snapshot's table names; the COW header must agree
 *                   (0 to take the header's word for it)
 */
public record CowChangeSource(Path cowDevice, Path origin, long originSize, long chunkBytes) implements ChangeSource {

    public CowChangeSource(Path cowDevice, Path origin, long originSize) {
        this(cowDevice, origin, originSize, 0);
    }

    @Override
    public RunList changes() throws IOException {
        try (DirectReader reader = DirectReader.open(cowDevice)) {
            return ExceptionStoreWalker.changedChunks(device(reader), originSize, chunkBytes);
        }
    }

    @Override
    public String describe() {
        return "COW " + cowDevice + " of " + origin;
    }

    /** Adapts an open reader to the walker's view of the device. */
    static CowDevice device(DirectReader reader) {
        return new CowDevice() {
            @Override
            public String name() {
                return reader.name();
            }

            @Override
            public long size() {
                return reader.size();
            }

            @Override
            public long read(MemorySegment dst, long offset) throws IOException {
                return reader.read(dst, offset);
            }
        };
    }
}
