package org.lvmsync.aot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.thin.fixture.Mappings;
import org.lvmsync.thin.fixture.PoolXml;
import org.lvmsync.thin.fixture.ThinTools;

/** The training's metadata image is real metadata: its diff has every kind of range, and is thin_delta's. */
class ThinTrainingTest {
    @TempDir
    Path dir;

    @Test
    void theDiffHasEveryKindOfRange() throws IOException {
        ThinTraining.run(dir);
        String plain = Files.readString(dir.resolve("delta.xml"));
        for (String kind : List.of("<same ", "<different ", "<left_only ", "<right_only ")) {
            assertTrue(plain.contains(kind), kind + " in\n" + plain);
        }
        assertTrue(Files.readString(dir.resolve("delta-v.xml")).contains("<range "));
        assertTrue(Files.readString(dir.resolve("delta-m.xml")).contains("<right_only "), "from the held root");
    }

    /**
     * The same pool made by thin_restore (its own trees and space maps) gives thin_delta
     * the diff our walk gives on the training's hand-made image: the image holds what it
     * means to. (thin_delta itself does not read the image: it wants the space maps too,
     * which the training has no use for.)
     */
    @Test
    void theDiffIsThinDeltasOfTheSamePool() throws IOException {
        assumeTrue(ThinTools.available(), "thin_restore and thin_delta are not installed (thin-provisioning-tools)");
        ThinTraining.run(dir);
        Mappings origin = new Mappings();
        Mappings snapshot = new Mappings();
        for (int v = 0; v < 16; v++) {
            origin.add(v, 100 + v, 0);
            snapshot.add(v, 100 + v, 0);
        }
        for (int v = 64; v < 96; v++) {
            origin.add(v, 136 + v, 0);
        }
        for (int v = 70; v < 110; v++) {
            snapshot.add(v, v >= 80 && v < 90 ? 230 + v : 136 + v, 0);
        }
        PoolXml pool = new PoolXml();
        pool.nrDataBlocks = 1024;
        pool.add(1, origin);
        pool.add(2, snapshot);
        Path restored = dir.resolve("restored");
        ThinTools.restore(pool, dir.resolve("pool.xml"), restored, 0);
        String delta = ThinTools.tool("thin_delta");
        assertEquals(thinDelta(List.of(delta, "--snap1", "1", "--snap2", "2", restored.toString())),
                withoutHeldRoot(dir.resolve("delta.xml")));
        assertEquals(thinDelta(List.of(delta, "--verbose", "--snap1", "1", "--snap2", "2", restored.toString())),
                withoutHeldRoot(dir.resolve("delta-v.xml")));
    }

    /** The training's pool holds a metadata snapshot, which the header names; the restored one holds none. */
    private static String withoutHeldRoot(Path xml) throws IOException {
        String text = Files.readString(xml);
        assertTrue(text.contains(" metadata_snap=\"7\">"), text);
        return text.replace(" metadata_snap=\"7\">", ">");
    }

    private static String thinDelta(List<String> command) throws IOException {
        ThinTools.Result r = ThinTools.run(command);
        assertEquals(0, r.status(), r.stderr());
        return r.stdout();
    }
}
