package org.lvmsync.discover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.lvmsync.LvmsyncException;
import org.lvmsync.dm.DevNo;
import org.lvmsync.dm.DmDevice;
import org.lvmsync.dm.Target;
import org.lvmsync.lvm.LvName;

class SnapshotDiscoveryTest {
    /** Tables as LVM loads them for vg-1/data.db with snapshot data.db-snap (chunk 8 sectors). */
    private final FakeDm dm = new FakeDm()
            .device("vg--1-data.db-real", new DevNo(253, 0), "linear", "8:16 2048", "")
            .device("vg--1-data.db", new DevNo(253, 1), "snapshot-origin", "253:0", "")
            .device("vg--1-data.db--snap-cow", new DevNo(253, 2), "linear", "8:16 206848", "")
            .device("vg--1-data.db--snap", new DevNo(253, 3), "snapshot", "253:0 253:2 P 8", "16/204800 16")
            .device("vg--1-plain", new DevNo(253, 4), "linear", "8:16 411648", "");

    private final SnapshotDiscovery discovery = new SnapshotDiscovery(dm);

    @Test
    void findsOriginCowAndChunkFromTheTables() throws Exception {
        ClassicSnapshot snap = (ClassicSnapshot) discovery.discover(LvName.parse("/dev/mapper/vg--1-data.db--snap"));
        assertEquals(new DevNo(253, 0), snap.originReal());
        assertEquals(new DevNo(253, 1), snap.origin());
        assertEquals(new DevNo(253, 2), snap.cow());
        assertEquals(4096, snap.chunkBytes());
        assertEquals(2097152L * 512, snap.sizeBytes());
        assertEquals("vg--1-data.db--snap", snap.dmName());
        assertEquals(0, snap.originOpenCount());
        dm.openCounts.put(new DevNo(253, 1), 2);
        assertEquals(2, ((ClassicSnapshot) discovery.discover(LvName.parse("vg-1/data.db-snap"))).originOpenCount());
    }

    @Test
    void fallsBackToTheRealDeviceWithoutASnapshotOrigin() throws Exception {
        dm.tables.remove("vg--1-data.db");
        dm.devices.removeIf(d -> d.name().equals("vg--1-data.db"));
        assertEquals(new DevNo(253, 0), ((ClassicSnapshot) discovery.discover(LvName.parse("vg-1/data.db-snap"))).origin());
    }

    /**
     * Defect 8 of issue 10: a device that is listed and gone when its table is asked for
     * (another job's lvremove, a kpartx or cryptsetup device) stopped the run with "no
     * device-mapper device named X". It is simply not the origin.
     */
    @Test
    void aDeviceThatVanishesDuringTheScanIsSkipped() throws Exception {
        FakeDm racing = new FakeDm() {
            @Override
            public List<Target> table(String name) throws java.io.IOException {
                if (name.equals("other-job-lv")) {
                    tables.remove(name);   // lvremove ran between the list and this question
                    throw new org.lvmsync.dm.DmException("no device-mapper device named " + name + " (see dmsetup ls)");
                }
                return super.table(name);
            }
        };
        racing.device("other-job-lv", new DevNo(253, 9), "linear", "8:32 0", "");
        racing.devices.addAll(dm.devices);
        racing.tables.putAll(dm.tables);
        racing.status.putAll(dm.status);
        ClassicSnapshot snap = (ClassicSnapshot) new SnapshotDiscovery(racing).discover(LvName.parse("vg-1/data.db-snap"));
        assertEquals(new DevNo(253, 1), snap.origin());
    }

    @Test
    void aDeviceThatFailsButStillExistsIsAnError() {
        FakeDm failing = new FakeDm() {
            @Override
            public List<Target> table(String name) throws java.io.IOException {
                if (name.equals("broken")) {
                    throw new org.lvmsync.dm.DmException("device-mapper table broken failed");
                }
                return super.table(name);
            }
        };
        failing.device("broken", new DevNo(253, 9), "linear", "8:32 0", "");
        failing.devices.addAll(dm.devices);
        failing.tables.putAll(dm.tables);
        failing.status.putAll(dm.status);
        assertThrows(org.lvmsync.dm.DmException.class,
                () -> new SnapshotDiscovery(failing).discover(LvName.parse("vg-1/data.db-snap")));
    }

    @Test
    void refusesAMissingVolume() {
        assertRefused("vg-1/nothing", "is not an active logical volume", "lvchange -ay vg-1/nothing");
    }

    @Test
    void refusesAPlainVolume() {
        assertRefused("vg-1/plain", "is not a snapshot (its device-mapper target is 'linear')", "lvcreate --snapshot");
    }

    @Test
    void refusesTheOrigin() {
        assertRefused("vg-1/data.db", "is the origin of a snapshot, not the snapshot");
    }

    @Test
    void refusesOverflowAndInvalidSnapshots() {
        dm.status.put("vg--1-data.db--snap", "Overflow");
        assertRefused("vg-1/data.db-snap", "overflowed", "take a new snapshot and copy the whole device");
        dm.status.put("vg--1-data.db--snap", "Invalid");
        assertRefused("vg-1/data.db-snap", "is invalid", "take a new snapshot and copy the whole device");
    }

    @Test
    void refusesAMergingSnapshot() {
        dm.tables.put("vg--1-data.db--snap", new Target(0, 2097152, "snapshot-merge", "253:0 253:2 P 8"));
        assertRefused("vg-1/data.db-snap", "is being merged back into its origin");
    }

    @Test
    void refusesANonPersistentSnapshot() {
        dm.tables.put("vg--1-data.db--snap", new Target(0, 2097152, "snapshot", "253:0 253:2 N 8"));
        assertRefused("vg-1/data.db-snap", "non-persistent");
    }

    @Test
    void refusesAThinDeviceWithoutLvmsReport() {
        dm.tables.put("vg--1-plain", new Target(0, 411648, "thin", "253:9 3"));
        assertRefused("vg-1/plain", "is a device-mapper thin device that LVM's report does not list");
    }

    private void assertRefused(String name, String... fragments) {
        LvmsyncException e = assertThrows(LvmsyncException.class, () -> discovery.discover(LvName.parse(name)));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    /** Device-mapper as a few maps: one target per device. */
    static class FakeDm implements DmView {
        final List<DmDevice> devices = new ArrayList<>();
        final Map<String, Target> tables = new HashMap<>();
        final Map<String, String> status = new HashMap<>();
        final Map<DevNo, Integer> openCounts = new HashMap<>();

        FakeDm device(String name, DevNo dev, String type, String params, String statusLine) {
            devices.add(new DmDevice(name, dev));
            tables.put(name, new Target(0, 2097152, type, params));
            status.put(name, statusLine);
            return this;
        }

        @Override
        public boolean exists(String name) {
            return tables.containsKey(name);
        }

        @Override
        public List<Target> table(String name) throws java.io.IOException {
            return tables.containsKey(name) ? List.of(tables.get(name)) : List.of();
        }

        @Override
        public List<Target> status(String name) {
            Target t = tables.get(name);
            return List.of(new Target(t.start(), t.length(), t.type(), status.get(name)));
        }

        @Override
        public List<DmDevice> list() {
            return List.copyOf(devices);
        }

        @Override
        public int openCount(DevNo dev) {
            return openCounts.getOrDefault(dev, 0);
        }

        @Override
        public Optional<String> nameOf(DevNo dev) {
            return devices.stream().filter(d -> d.dev().equals(dev)).map(DmDevice::name).findFirst();
        }
    }
}
