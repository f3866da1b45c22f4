package org.lvmsync.lvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

class LvReportTest {
    /** What LVM 2.03.16 printed in the test guest (a thin LV and its inactive thin snapshot). */
    static final String REPORT = """
              {
                  "report": [
                      {
                          "lv": [
                              {"lv_name":"th-1", "vg_name":"t.v-g", "origin":"", "pool_lv":"po.ol", "thin_id":"1", \
            "segtype":"thin", "lv_attr":"Vwi-a-tz--", "lv_uuid":"tbzAMI-gzjf", "lv_size":"16777216"},
                              {"lv_name":"th-1.snap", "vg_name":"t.v-g", "origin":"th-1", "pool_lv":"po.ol", \
            "thin_id":"2", "segtype":"thin", "lv_attr":"Vwi---tz-k", "lv_uuid":"VcWDw3-0f5v", "lv_size":"16777216"},
                              {"lv_name":"[po.ol_tmeta]", "vg_name":"t.v-g", "origin":"", "pool_lv":"", \
            "thin_id":"", "segtype":"linear", "lv_attr":"ewi-ao----", "lv_uuid":"x", "lv_size":"4194304"}
                          ]
                      }
                  ]
              }
            """;

    @Test
    void readsLvmsReport() {
        List<LvInfo> lvs = LvReport.parse(REPORT);
        assertEquals(3, lvs.size());
        LvInfo snap = lvs.get(1);
        assertEquals(new LvName("t.v-g", "th-1.snap"), snap.name());
        assertEquals("th-1", snap.origin());
        assertEquals("po.ol", snap.poolLv());
        assertEquals(OptionalLong.of(2), snap.thinId());
        assertTrue(snap.isThin() && snap.hasOrigin());
        assertTrue(!snap.isActive() && lvs.get(0).isActive());
        assertEquals(16777216, snap.sizeBytes());
        assertEquals(OptionalLong.empty(), lvs.get(2).thinId());
    }

    @Test
    void emptyReportAndExtraMembers() {
        assertEquals(List.of(), LvReport.parse("{\"report\": [ {\"lv\": [ ]} ], \"log\": [{\"x\":1.5e3}]}"));
    }

    @Test
    void refusesWhatIsNotAReportOfThatShape() {
        for (String bad : new String[] {"", "[]", "{\"report\": {}}", "{\"report\": [ {\"lv\": [ {} ]} ]}",
                "{\"report\": [ {\"lv\": [ ], } ]}", "{\"report\": [ ]} x", "{\"report\": [ {\"lv\": [ ]} ] /* */}",
                REPORT.replace("\"thin_id\":\"2\"", "\"thin_id\":2"),
                REPORT.replace("\"lv_size\":\"16777216\"}", "\"lv_size\":\"16M\"}"),
                "{\"a\": 1, \"a\": 2}", "{\"s\": \"tab\tin\"}"}) {
            LvmsyncException e = assertThrows(LvmsyncException.class, () -> LvReport.parse(bad), bad);
            assertEquals(FailureClass.ENVIRONMENT, e.failureClass());
            assertTrue(e.getMessage().startsWith("cannot read LVM's report"), e.getMessage());
        }
    }

    @Test
    void jsonStringsAndValues() {
        Object v = Json.parse(" {\"a\\\"b\\u00e9\\n\": [true, false, null, -0.5E+2, \"x\"]} ");
        assertEquals(Map.of("a\"b\u00e9\n", List.of(true, false, new Json.JsonNumber("-0.5E+2"), "x")).keySet(),
                ((Map<?, ?>) v).keySet());
        List<?> values = (List<?>) ((Map<?, ?>) v).get("a\"b\u00e9\n");
        assertEquals(5, values.size());
        assertEquals(null, values.get(2));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[01]"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1,]"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"\\x\""));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"open"));
    }

    @Test
    void lvsRunsFromAnArgumentVectorAndNotFoundIsEmpty(@TempDir Path dir) throws IOException {
        Path args = dir.resolve("args");
        Path lvs = script(dir.resolve("lvs"), "printf '%s\\n' \"$@\" > '" + args + "'\n"
                + "if [ \"$9\" = none ]; then echo '{\"report\": [ {\"lv\": [ ]} ]}'; echo '  Volume group \"none\" not found' >&2;"
                + " exit 5; fi\n"
                + "if [ \"$9\" = broken ]; then echo '  Locking failed' >&2; exit 3; fi\n"
                + "cat <<'END'\n" + REPORT + "END\n");
        LvsCommand command = new LvsCommand(lvs.toString());
        assertEquals(3, command.volumeGroup("t.v-g").size());
        assertEquals(List.of("--reportformat", "json", "--units", "b", "--nosuffix", "-a", "-o", LvReport.FIELDS, "t.v-g"),
                Files.readAllLines(args));
        assertEquals("th-1", command.find(new LvName("t.v-g", "th-1.snap")).orElseThrow().origin());
        assertEquals(List.of(), command.volumeGroup("none"));
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> command.volumeGroup("broken"));
        assertEquals(FailureClass.ENVIRONMENT, e.failureClass());
        assertTrue(e.getMessage().endsWith("failed with exit status 3: Locking failed"), e.getMessage());
        LvmsyncException missing = assertThrows(LvmsyncException.class,
                () -> new LvsCommand(dir.resolve("no-lvs").toString()).volumeGroup("vg"));
        assertTrue(missing.getMessage().contains("install lvm2"), missing.getMessage());
    }

    private static Path script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
