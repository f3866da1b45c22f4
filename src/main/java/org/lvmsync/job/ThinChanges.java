package org.lvmsync.job;

import java.io.IOException;
import java.nio.file.Path;

import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.changes.RunList;
import org.lvmsync.discover.DeviceNodes;
import org.lvmsync.discover.ThinPool;
import org.lvmsync.thin.HeldMetadata;
import org.lvmsync.thin.MappedMetadata;
import org.lvmsync.thin.MetadataRoot;
import org.lvmsync.thin.ThinMetadata;
import org.lvmsync.thin.ThinRuns;

/**
 * Reads what to send from a live pool's metadata: reserves a metadata snapshot, maps the
 * metadata device read-only, walks the trees at the held root, and releases the snapshot
 * as soon as the walk is done (the data is read later through the thin devices, never
 * through the pool, so nothing needs the frozen metadata any longer).
 */
final class ThinChanges {
    private ThinChanges() {
    }

    /** A walk over the pool's metadata at the held root. */
    @FunctionalInterface
    interface Walk {
        RunList over(ThinMetadata metadata);
    }

    static RunList read(ThinPool pool, DeviceNodes nodes, Walk walk) throws IOException {
        Path metadata = nodes.path(pool.metadata());
        long started = System.nanoTime();
        RunList runs;
        try (HeldMetadata held = HeldMetadata.reserve(new DmPool(pool.dmName()), pool.lv().toString());
             MappedMetadata source = MappedMetadata.open(metadata)) {
            ThinMetadata view = ThinMetadata.open(source, MetadataRoot.heldAt(held.root()));
            if (view.dataBlockBytes() != pool.dataBlockBytes()) {
                throw new LvmsyncException(FailureClass.BAD_INPUT, metadata + ": the metadata gives data blocks of "
                        + view.dataBlockBytes() + " bytes, the pool's table " + pool.dataBlockBytes()
                        + ": is this the pool's metadata device?");
            }
            runs = walk.over(view);
            Log.debug("thin metadata of " + pool.lv() + ": " + view.nodesRead() + " nodes read at held root "
                    + held.root() + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
        return runs;
    }

    static RunList changes(ThinPool pool, DeviceNodes nodes, long fromDev, long toDev, long fromBytes, long toBytes)
            throws IOException {
        return read(pool, nodes, view -> ThinRuns.changes(view, fromDev, toDev, fromBytes, toBytes));
    }

    static RunList mapped(ThinPool pool, DeviceNodes nodes, long dev, long sizeBytes) throws IOException {
        return read(pool, nodes, view -> ThinRuns.mapped(view, dev, sizeBytes));
    }
}
