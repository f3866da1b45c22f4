package org.lvmsync.stream;

import java.io.IOException;

/**
 * A sink whose receiver can say where an interrupted transfer of the same stream may go
 * on: a local apply (from its journal) or a remote one (over the channel back). Asked
 * once, after the stream's header record was given to the sink and before any extent.
 */
public interface Resumable {
    /**
     * The receiver's answer as it came: normally a {@link ResumeAnswer#line()}, but a
     * remote may send anything, or nothing (then empty).
     */
    java.util.Optional<String> resumeAnswer() throws IOException;
}
