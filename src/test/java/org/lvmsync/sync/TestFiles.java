package org.lvmsync.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Files for O_DIRECT tests: under target/ (the build's real filesystem) rather than a
 * @TempDir that may be tmpfs.
 */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path file(String name, byte[] content) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "test-devices"));
        Path file = dir.resolve(name + "-" + ProcessHandle.current().pid() + ".img");
        Files.write(file, content);
        file.toFile().deleteOnExit();
        return file;
    }

    public static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
