package org.lvmsync.io;

import java.io.IOException;
import java.nio.file.Path;

/** The engine a run reads devices with; the one place that picks it. */
public final class IoEngines {
    private IoEngines() {
    }

    /** Opens {@code device} for reading, bypassing the page cache where the device allows. */
    public static IoEngine open(Path device) throws IOException {
        return PreadEngine.open(device);
    }
}
