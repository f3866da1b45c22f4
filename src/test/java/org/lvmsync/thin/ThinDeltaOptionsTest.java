package org.lvmsync.thin;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** thin_delta's command line, parsed by getopt_long's rules. */
class ThinDeltaOptionsTest {
    private static ThinDelta.Options parse(String... args) {
        return ThinDelta.parse(List.of(args));
    }

    private static String refused(String... args) {
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> parse(args));
        assertEquals(FailureClass.USAGE, e.failureClass());
        assertTrue(e.getMessage().startsWith("thin_delta: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void plain() {
        assertEquals(new ThinDelta.Options(Path.of("/dev/m"), false, OptionalLong.empty(), 1, 2, false),
                parse("--snap1", "1", "--snap2", "2", "/dev/m"));
    }

    @Test
    void anyOrderAliasesPrefixesAndEquals() {
        assertEquals(new ThinDelta.Options(Path.of("m"), true, OptionalLong.empty(), 5, 6, true),
                parse("m", "--thin2=6", "--verb", "-m", "--snap1", "5"));
        assertEquals(new ThinDelta.Options(Path.of("m"), true, OptionalLong.of(17), 5, 6, false),
                parse("--metadata-snap=17", "--thin1", "5", "--snap2=6", "m"));
        assertEquals(OptionalLong.of(17), parse("-m17", "--snap1", "1", "--snap2", "2", "m").metadataSnap());
        assertEquals(new MetadataRoot.Held(OptionalLong.of(17)), parse("-m17", "--snap1", "1", "--snap2", "2", "m").root());
        assertEquals(MetadataRoot.live(), parse("--snap1", "1", "--snap2", "2", "m").root());
    }

    @Test
    void aBlockAfterABareMetadataSnapIsTakenWhenADeviceFollows() {
        ThinDelta.Options o = parse("-m", "17", "--snap1", "1", "--snap2", "2", "/dev/m");
        assertEquals(OptionalLong.of(17), o.metadataSnap());
        assertEquals(Path.of("/dev/m"), o.metadata());
        assertEquals(Path.of("17"), parse("-m", "17", "--snap1", "1", "--snap2", "2").metadata());
    }

    @Test
    void mistakes() {
        assertTrue(refused("--snap1", "1", "m").contains("--snap2 not specified"));
        assertTrue(refused("--snap2", "1", "m").contains("--snap1 not specified"));
        assertTrue(refused("--snap1", "1", "--snap2", "2").contains("no input device provided"));
        assertTrue(refused("--snap1", "x", "--snap2", "2", "m").contains("couldn't parse thin id 1: 'x'"));
        assertTrue(refused("--snap", "1", "--snap2", "2", "m").contains("option --snap is ambiguous"));
        assertTrue(refused("--snap1", "1", "--snap2", "2", "--frobnicate", "m").contains("unknown option --frobnicate"));
        assertTrue(refused("--snap1", "1", "--snap2", "2", "-x", "m").contains("unknown option -x"));
        assertTrue(refused("--snap1", "1", "--snap2").contains("--snap2 needs a thin device id"));
        assertTrue(refused("--snap1", "1", "--snap2", "2", "a", "b").contains("one metadata device or file expected"));
        assertTrue(refused("--metadata-snap=z", "--snap1", "1", "--snap2", "2", "m").contains("metadata snapshot block"));
    }

    @Test
    void operandsAfterDoubleDash() {
        assertEquals(Path.of("--snap1"), parse("--snap1", "1", "--snap2", "2", "--", "--snap1").metadata());
    }
}
