package org.lvmsync.discover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DevNo;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FileStat;

/**
 * Finds a device node for a major:minor from a device-mapper table. Hosts without udev
 * (containers, rescue systems, our test guest) lack {@code /dev/block/M:m}, so sysfs is
 * asked as well: the dm name gives {@code /dev/mapper/NAME}, the uevent's DEVNAME gives
 * the devtmpfs node. Whatever is found is checked by fstat to be that very device.
 */
public final class DeviceNodes {
    private final Path dev;
    private final Path sys;

    public DeviceNodes() {
        this(Path.of("/dev"), Path.of("/sys"));
    }

    /** Other roots for tests. */
    DeviceNodes(Path dev, Path sys) {
        this.dev = dev;
        this.sys = sys;
    }

    public Path path(DevNo number) throws IOException {
        for (Path candidate : candidates(number)) {
            if (Files.exists(candidate) && isNodeOf(candidate, number)) {
                return candidate;
            }
        }
        throw new LvmsyncException(FailureClass.ENVIRONMENT, "no device node for block device " + number
                + " (looked in " + dev.resolve("block") + ", " + dev.resolve("mapper") + " and sysfs); is /dev mounted?");
    }

    List<Path> candidates(DevNo number) throws IOException {
        Path sysDev = sys.resolve("dev/block/" + number);
        Optional<Path> mapper = firstLine(sysDev.resolve("dm/name")).map(name -> dev.resolve("mapper").resolve(name));
        Optional<Path> devName = ueventDevName(sysDev.resolve("uevent")).map(dev::resolve);
        return java.util.stream.Stream.of(Optional.of(dev.resolve("block/" + number)), mapper, devName)
                .flatMap(Optional::stream).toList();
    }

    private static boolean isNodeOf(Path node, DevNo number) throws IOException {
        try (Fd fd = Fd.open(node, Fd.O_RDONLY)) {
            FileStat st = fd.stat();
            return st.isBlockDevice() && st.rdevMajor() == number.major() && st.rdevMinor() == number.minor();
        }
    }

    private static Optional<String> firstLine(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return lines.isEmpty() || lines.get(0).isBlank() ? Optional.empty() : Optional.of(lines.get(0).strip());
    }

    private static Optional<String> ueventDevName(Path uevent) throws IOException {
        if (!Files.isReadable(uevent)) {
            return Optional.empty();
        }
        return Files.readAllLines(uevent, StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith("DEVNAME="))
                .map(line -> line.substring("DEVNAME=".length()))
                .filter(name -> !name.isEmpty() && !name.contains(".."))
                .findFirst();
    }
}
