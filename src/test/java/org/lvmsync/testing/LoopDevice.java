package org.lvmsync.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A loop device over a sparse file under target/, for tests that need a real block device
 * on a kernel without device-mapper. Aborts the test (skipped, with the reason) when not
 * root or when losetup fails; detaches and deletes on close.
 */
public final class LoopDevice implements AutoCloseable {
    private final Path backing;
    private final Path device;

    private LoopDevice(Path backing, Path device) {
        this.backing = backing;
        this.device = device;
    }

    public static LoopDevice attach(String purpose, long size) throws IOException, InterruptedException {
        return attach(purpose, size, Path.of("target", "loop-test"));
    }

    /** As above, with the backing file in {@code directory} (a tmpfs makes the device's syncs cheap). */
    public static LoopDevice attach(String purpose, long size, Path directory) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            abort("loop device tests need root (" + purpose + ")");
        }
        Path dir = Files.createDirectories(directory);
        Path backing = dir.resolve(purpose + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(size);
        }
        String out = run("losetup", "--find", "--show", backing.toString());
        if (!out.startsWith("/dev/loop")) {
            Files.deleteIfExists(backing);
            abort("losetup could not attach a loop device: " + out);
        }
        return new LoopDevice(backing, Path.of(out.strip()));
    }

    public Path device() {
        return device;
    }

    public Path backingFile() {
        return backing;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("losetup", "-d", device.toString());
        Files.deleteIfExists(backing);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timeout: " + String.join(" ", command);
        }
        return out;
    }
}
