package org.lvmsync.thin;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

/** A thin device id the metadata does not hold: named, with the ids it does hold. */
public class ThinDeviceNotFoundException extends LvmsyncException {
    private final long devId;

    public ThinDeviceNotFoundException(String source, long devId, String known) {
        super(FailureClass.SNAPSHOT_UNUSABLE, source + ": thin device " + devId + " is not in the pool's metadata (it holds "
                + known + "); was the thin volume removed, or is this another pool's metadata?");
        this.devId = devId;
    }

    public long devId() {
        return devId;
    }
}
