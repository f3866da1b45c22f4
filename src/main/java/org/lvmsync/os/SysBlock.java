package org.lvmsync.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What sysfs says about one block device ({@code /sys/dev/block/MAJOR:MINOR}): its
 * request-queue limits, which decide how zeros and discards are written, and a
 * device-mapper device's UUID, which names it across reboots. A partition has no queue
 * of its own: its disk's is read. Everything is optional: a file that cannot be read
 * counts as not there.
 */
public final class SysBlock {
    private final Path dir;

    private SysBlock(Path dir) {
        this.dir = dir;
    }

    public static SysBlock of(int major, int minor) {
        return at(Path.of("/sys/dev/block/" + major + ":" + minor));
    }

    /** The same under another root (tests). */
    public static SysBlock at(Path dir) {
        return new SysBlock(dir);
    }

    /** A number from {@code queue/NAME}, e.g. {@code write_zeroes_max_bytes}. */
    public OptionalLong queue(String name) {
        Path queue = dir.resolve("queue");
        if (!Files.isDirectory(queue) && Files.exists(dir.resolve("partition"))) {
            queue = dir.resolve("../queue");
        }
        return line(queue.resolve(name)).map(SysBlock::number).orElse(OptionalLong.empty());
    }

    /** The device-mapper UUID ({@code LVM-...} for an LV), if this is a dm device that has one. */
    public Optional<String> dmUuid() {
        return line(dir.resolve("dm/uuid")).filter(s -> !s.isEmpty());
    }

    private static OptionalLong number(String s) {
        try {
            return OptionalLong.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static Optional<String> line(Path file) {
        try {
            if (!Files.isReadable(file)) {
                return Optional.empty();
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return Optional.of((nl < 0 ? text : text.substring(0, nl)).strip());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
