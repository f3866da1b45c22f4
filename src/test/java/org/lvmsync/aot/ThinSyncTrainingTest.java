package org.lvmsync.aot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training's thin sync goes the way a real one does: it finds the changed blocks at
 * the held root (the run checks their count and throws otherwise) and gives the
 * metadata snapshot back.
 */
class ThinSyncTrainingTest {
    @TempDir
    Path dir;

    @Test
    void reservesWalksAndReleases() throws IOException {
        List<String> messages = ThinSyncTraining.run(dir);
        assertEquals(List.of("reserve_metadata_snap", "release_metadata_snap"), messages);
    }
}
