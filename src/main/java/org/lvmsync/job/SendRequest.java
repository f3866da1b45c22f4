package org.lvmsync.job;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The sending form of the command line, parsed and checked:
 * {@code lvmsync [options] <snapshot> [--stdout | [<host>:]<destdevice>]}.
 * Exactly one of {@code stdout} and {@code destination} is set; {@code host} only with a
 * destination. Verbosity is in {@link org.lvmsync.Log#level()}.
 *
 * @param snapshot     the snapshot as given: {@code /dev/VG/LV}, {@code /dev/mapper/VG-LV} or {@code VG/LV}
 * @param host         remote host (the part before the first {@code :}), empty for a local destination
 * @param destination  destination device (on the host, if any), empty with --stdout
 * @param stdout       write the change stream to stdout
 * @param snapback     undo file to write on the receiving side (never with --stdout)
 * @param dataSource   read changed data from this device instead of the origin (-r)
 * @param rsh          remote shell command split into words (default {@code [ssh]}), never run through a shell
 * @param skipPastEnd  receiving side skips records past the end of the destination device with a warning
 */
public record SendRequest(
        String snapshot,
        Optional<String> host,
        Optional<String> destination,
        boolean stdout,
        Optional<Path> snapback,
        Optional<String> dataSource,
        List<String> rsh,
        boolean skipPastEnd) {

    public SendRequest {
        rsh = List.copyOf(rsh);
    }
}
