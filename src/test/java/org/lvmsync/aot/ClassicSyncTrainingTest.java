package org.lvmsync.aot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.LvmsyncException;
import org.lvmsync.discover.SnapshotDiscovery;
import org.lvmsync.dm.DevNo;
import org.lvmsync.lvm.LvName;
import org.lvmsync.lvm.LvmView;

/** The training's classic sync goes the way a real one goes, and the main training prints and leaves nothing. */
class ClassicSyncTrainingTest {
    @TempDir
    Path dir;

    @Test
    void theSyncWritesTheOriginWithAnUndoFileAndARecord() throws IOException {
        ClassicSyncTraining.run(dir);
        assertEquals(-1, Files.mismatch(dir.resolve("origin"), dir.resolve("destination")));
        assertTrue(Files.size(dir.resolve("undo-sync")) > 0, "the undo file");
        try (Stream<Path> records = Files.list(dir.resolve("state"))) {
            assertFalse(records.toList().isEmpty(), "a destination record in the state directory");
        }
    }

    /** The tables are a classic snapshot's as LVM builds it: the origin is found, and the other LVs are refused. */
    @Test
    void theTablesAreAClassicSnapshotsAsLvmBuildsIt() throws IOException {
        SnapshotDiscovery discovery = new SnapshotDiscovery(ClassicSyncTraining.tables(), LvmView.none());
        assertEquals(new DevNo(253, 11), discovery.discover(ClassicSyncTraining.SNAPSHOT).origin());
        for (String lv : List.of("data", "root")) {
            assertThrows(LvmsyncException.class, () -> discovery.discover(new LvName("aotvg", lv)), lv);
        }
    }

    @Test
    void theTrainingPrintsNothingAndLeavesNothing() throws IOException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = scratch(tmp);
        List<Path> recordsBefore = trainingRecords();
        try (PrintStream capture = new PrintStream(printed, true)) {
            System.setOut(capture);
            System.setErr(capture);
            AotTraining.train();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertEquals("", printed.toString());
        assertEquals(before, scratch(tmp), "scratch directories of trainings in " + tmp);
        assertEquals(recordsBefore, trainingRecords(), "records of training images in the default state directory");
    }

    /**
     * Records the default state directory holds of training images: a build trains as
     * root, so an apply without --state-dir would leave one in /var/lib/lvmsync each time.
     */
    private static List<Path> trainingRecords() throws IOException {
        String env = System.getenv("LVMSYNC_STATE_DIR");
        Path state = Path.of(env == null || env.isEmpty() ? "/var/lib/lvmsync" : env);
        if (!Files.isDirectory(state)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(state)) {
            return all.filter(p -> p.getFileName().toString().contains("lvmsync-aot-")).sorted().toList();
        }
    }

    private static List<Path> scratch(Path tmp) throws IOException {
        try (Stream<Path> all = Files.list(tmp)) {
            return all.filter(p -> p.getFileName().toString().startsWith("lvmsync-aot-")).sorted().toList();
        }
    }
}
