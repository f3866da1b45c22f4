package org.lvmsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.thin.fixture.Mappings;
import org.lvmsync.thin.fixture.PoolXml;
import org.lvmsync.thin.fixture.ThinTools;

/**
 * {@code lvmsync thin-delta} as a process of its own, as wyng-backup or thin-send-recv
 * would call it: the same stdout as thin_delta 0.9.0 on the same metadata, errors as one
 * line and a non-zero status.
 */
class ThinDeltaModeTest {
    private static ThinTools.Result lvmsync(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return ThinTools.run(cmd);
    }

    @Test
    void printsWhatThinDeltaPrints(@TempDir Path dir) throws IOException {
        assumeTrue(ThinTools.available(), "thin-provisioning-tools are not installed");
        Mappings origin = new Mappings();
        Mappings snap = new Mappings();
        for (int v = 0; v < 3000; v++) {
            origin.add(v, 10 + v, 0);
            if (v % 7 != 0) {
                snap.add(v, v % 11 == 0 ? 9000 + v : 10 + v, 1);
            }
        }
        PoolXml pool = new PoolXml();
        pool.add(1, origin);
        pool.add(2, snap);
        Path meta = dir.resolve("meta");
        ThinTools.restore(pool, dir.resolve("pool.xml"), meta, 64);
        for (List<String> args : List.of(List.of("--snap1", "1", "--snap2", "2"),
                List.of("--verbose", "--thin1=2", "--snap2", "1"))) {
            List<String> full = new ArrayList<>(args);
            full.add(meta.toString());
            List<String> tool = new ArrayList<>(List.of(ThinTools.tool("thin_delta")));
            tool.addAll(full);
            ThinTools.Result theirs = ThinTools.run(tool);
            List<String> ours = new ArrayList<>(List.of("thin-delta"));
            ours.addAll(full);
            ThinTools.Result mine = lvmsync(ours.toArray(String[]::new));
            assertEquals(0, mine.status(), mine.stderr());
            assertEquals(theirs.stdout(), mine.stdout(), String.join(" ", args));
            assertTrue(mine.stdout().contains("<different"), mine.stdout());
            assertEquals("", mine.stderr());
        }
        ThinTools.Result missing = lvmsync("thin-delta", "--snap1", "1", "--snap2", "5", meta.toString());
        assertEquals(1, missing.status());
        assertEquals("", missing.stdout());
        assertEquals(1, missing.stderr().lines().count(), missing.stderr());
        assertTrue(missing.stderr().startsWith("lvmsync: " + meta + ": thin device 5 is not in the pool's metadata"),
                missing.stderr());
        ThinTools.Result usage = lvmsync("thin-delta", "--snap1", "1", meta.toString());
        assertEquals(2, usage.status());
        assertTrue(usage.stderr().startsWith("lvmsync: thin_delta: --snap2 not specified"), usage.stderr());
        assertTrue(Files.exists(meta));
    }
}
