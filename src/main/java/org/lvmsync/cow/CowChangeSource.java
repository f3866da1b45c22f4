package org.lvmsync.cow;

import java.io.IOException;
import org.lvmsync.changes.ChangeSource;
import org.lvmsync.changes.RunList;
import org.lvmsync.io.IoEngine;

/**
 * The changes of a classic (dm-snapshot) snapshot: the exception store on its COW device.
 * The engine should bypass the page cache (O_DIRECT), so the kernel's latest metadata is
 * seen without dropping any other cache; it is borrowed, its owner closes it.
 *
 * @param cow        the snapshot's COW device, as named by the snapshot's table
 * @param originSize bytes of the origin: exceptions beyond it are corrupt
 * @param chunkBytes the chunk size the snapshot's table names; the COW header must agree
 *                   (0 to take the header's word for it)
 */
public record CowChangeSource(IoEngine cow, long originSize, long chunkBytes) implements ChangeSource {

    public CowChangeSource(IoEngine cow, long originSize) {
        this(cow, originSize, 0);
    }

    @Override
    public RunList changes() throws IOException {
        return ExceptionStoreWalker.changedChunks(cow, originSize, chunkBytes);
    }

    @Override
    public String describe() {
        return "COW " + cow.name();
    }
}
