package org.lvmsync.lvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

class LvNameTest {
    @Test
    void threeSpellingsOfTheSameVolume() {
        LvName expected = new LvName("vg0", "somevm-lvmsync");
        assertEquals(expected, LvName.parse("/dev/vg0/somevm-lvmsync"));
        assertEquals(expected, LvName.parse("vg0/somevm-lvmsync"));
        assertEquals(expected, LvName.parse("/dev/mapper/vg0-somevm--lvmsync"));
    }

    @Test
    void dashesAreDoubledInTheDmName() {
        LvName name = new LvName("my-vg", "lv-1--x");
        assertEquals("my--vg-lv--1----x", name.dmName());
        assertEquals("/dev/mapper/my--vg-lv--1----x", name.mapperPath());
        assertEquals("/dev/my-vg/lv-1--x", name.devPath());
        assertEquals("my-vg/lv-1--x", name.toString());
        assertEquals(name, LvName.parse(name.mapperPath()));
        assertEquals(name, LvName.parse(name.devPath()));
        assertEquals(name, LvName.parse(name.toString()));
    }

    @Test
    void dotsPlusAndUnderscoresPass() {
        LvName name = LvName.parse("/dev/vg.data/db_01+snap.2024-01-01");
        assertEquals("vg.data", name.vg());
        assertEquals("db_01+snap.2024-01-01", name.lv());
        assertEquals(name, LvName.parse("/dev/mapper/vg.data-db_01+snap.2024--01--01"));
        assertEquals("vg.data-db_01+snap.2024--01--01", name.dmName());
    }

    @Test
    void dmNameRoundTripsWithLayers() {
        DmName cow = DmName.parse("my--vg-snap--1-cow");
        assertEquals(new DmName("my-vg", "snap-1", "cow"), cow);
        assertEquals("my--vg-snap--1-cow", cow.toString());
        assertEquals(new LvName("my-vg", "snap-1"), cow.lvName());
        assertEquals("vg-pool-tpool", new LvName("vg", "pool").dmName("tpool"));
        assertEquals(new DmName("vg", "pool_tmeta", ""), DmName.parse("vg-pool_tmeta"));
        // a trailing dash in an LV name doubles too
        assertEquals(new DmName("vg", "lv-", ""), DmName.parse("vg-lv--"));
        // three dashes: the LV cannot start with '-', so the first two are the VG's
        assertEquals(new DmName("vg-", "lv", ""), DmName.parse("vg---lv"));
    }

    @Test
    void internalLayerDeviceIsRefusedWithAHint() {
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> LvName.parse("/dev/mapper/vg-snap-cow"));
        assertEquals(FailureClass.USAGE, e.failureClass());
        assertTrue(e.getMessage().contains("'cow' device of vg/snap"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lv", "/dev/vg", "/dev/vg/", "/dev//lv", "vg/lv/extra", "/dev/vg/lv/x",
        "/tmp/vg/lv", "/dev/mapper/control", "/dev/mapper/", "/dev/mapper/vg-", "/dev/mapper/-lv",
        "/dev/mapper/vg-lv-", "vg/-lv", "vg/..", "./lv", "vg/l v", "vg/lv;rm -rf /", "vg/lv$(id)", "v'g/lv",
        "vg/lv\n", "/vg/lv"})
    void garbageIsRejectedClearly(String name) {
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> LvName.parse(name));
        assertEquals(FailureClass.USAGE, e.failureClass());
        assertTrue(e.getMessage().startsWith("invalid logical volume name '"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void tooLongNamesAreRejected() {
        String longName = "a".repeat(128);
        assertThrows(LvmsyncException.class, () -> LvName.parse("vg/" + longName));
        assertEquals(127, LvName.parse("vg/" + "a".repeat(127)).lv().length());
    }
}
