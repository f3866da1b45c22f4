package org.lvmsync.aot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.lvmsync.changes.RunList;
import org.lvmsync.cow.CowChangeSource;
import org.lvmsync.discover.ClassicSnapshot;
import org.lvmsync.discover.DmView;
import org.lvmsync.discover.SnapshotDiscovery;
import org.lvmsync.discover.SnapshotName;
import org.lvmsync.dm.DevNo;
import org.lvmsync.dm.DmDevice;
import org.lvmsync.dm.Target;
import org.lvmsync.io.IoEngine;
import org.lvmsync.io.IoEngines;
import org.lvmsync.job.SendJob;
import org.lvmsync.job.SendRequest;
import org.lvmsync.job.Sinks;
import org.lvmsync.job.StreamIdentities;
import org.lvmsync.job.TransferOptions;
import org.lvmsync.lvm.LvName;
import org.lvmsync.lvm.LvmView;
import org.lvmsync.os.SysBlock;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.stream.StreamIdentity;
import org.lvmsync.stream.StreamWriting;

/**
 * The part of {@link AotTraining} that goes the way of a local sync of a classic
 * snapshot ({@code lvmsync VG/SNAP /dev/VG2/DEST}), on files, without device-mapper
 * (the build host has none): the snapshot's name read as a real run reads it, discovery
 * over device-mapper tables as LVM lays out a classic snapshot (snapshot-origin over the
 * origin's real device, the snapshot over it and its COW, a status line), a COW image of
 * two exception areas walked, and its changes sent from an origin file through the local
 * sink a sync opens (the applier, with an undo file and a state directory) into a
 * destination file, which must then hold the origin. sysfs is read as a destination
 * device's is, from a directory laid out the same way. Where device-mapper is within
 * reach (root on a real host or in the guest), {@link RealDmTraining} adds the kernel's
 * side.
 */
final class ClassicSyncTraining {
    static final int CHUNK = 4096;
    /** Exceptions in one area of a 4 KiB-chunk COW: a chunk of {old u64, new u64} pairs. */
    private static final int PER_AREA = CHUNK / 16;
    /** The origin's chunks: every third one changed, so the runs are scattered, as in a race. */
    private static final int ORIGIN_CHUNKS = 3 * (PER_AREA + 8);

    static final LvName SNAPSHOT = new LvName("aotvg", "data-snap");
    private static final DevNo REAL = new DevNo(253, 10);
    private static final DevNo ORIGIN = new DevNo(253, 11);
    private static final DevNo COW = new DevNo(253, 12);
    private static final DevNo SNAP = new DevNo(253, 13);

    private ClassicSyncTraining() {
    }

    /** Runs it in {@code dir}, which holds afterwards what the sync left (tests look). */
    static void run(Path dir) throws IOException {
        AotTraining.run(2, "--state-dir", dir.resolve("state").toString(), "aotvg/data/snap", dir.resolve("x").toString());
        ClassicSnapshot snapshot = discover();
        sysfs(dir);
        Path origin = dir.resolve("origin");
        Path cow = dir.resolve("cow");
        Files.write(origin, origin());
        Files.write(cow, cow());
        RunList runs;
        try (IoEngine engine = IoEngines.openForMetadata(cow)) {
            runs = new CowChangeSource(engine, snapshot.sizeBytes(), snapshot.chunkBytes()).changes();
        }
        if (runs.unitCount() != PER_AREA + 8) {
            throw new IllegalStateException("the training's COW walk found " + runs.unitCount() + " chunks, not "
                    + (PER_AREA + 8));
        }
        Path destination = Files.write(dir.resolve("destination"), new byte[ORIGIN_CHUNKS * CHUNK]);
        sync(dir, snapshot, runs, origin, destination);
        if (Files.mismatch(origin, destination) != -1) {
            throw new IllegalStateException("the training's sync left the destination unlike its origin");
        }
    }

    /** SnapshotName and discovery, as {@code SnapshotDiscovery.find} goes, over the tables of {@link #tables()}. */
    private static ClassicSnapshot discover() throws IOException {
        LvName name = SnapshotName.parse(SNAPSHOT.toString()).orElseThrow();
        LvmView noLvm = vg -> {
            throw new IllegalStateException("discovery asked LVM about " + vg + " for an active classic snapshot");
        };
        ClassicSnapshot expected = new ClassicSnapshot(SNAPSHOT, SNAPSHOT.dmName(), REAL, ORIGIN, COW, CHUNK,
                (long) ORIGIN_CHUNKS * CHUNK, 0);
        if (!(new SnapshotDiscovery(tables(), noLvm).discover(name) instanceof ClassicSnapshot found)
                || !found.equals(expected)) {
            throw new IllegalStateException("the training's discovery did not find " + expected);
        }
        return expected;
    }

    /**
     * What device-mapper holds for a classic snapshot made by LVM: the origin's real
     * device, snapshot-origin over it, the COW, the snapshot over both; and an unrelated
     * device listed first, as on any host.
     */
    static DmView tables() {
        long sectors = (long) ORIGIN_CHUNKS * CHUNK / 512;
        String lv = SNAPSHOT.dmName();
        List<DmDevice> devices = List.of(new DmDevice("aotvg-root", new DevNo(253, 0)),
                new DmDevice("aotvg-data-real", REAL), new DmDevice("aotvg-data", ORIGIN),
                new DmDevice(lv + "-cow", COW), new DmDevice(lv, SNAP));
        Map<String, List<Target>> tables = Map.of(
                "aotvg-root", List.of(new Target(0, 4096, "linear", "8:16 2048")),
                "aotvg-data-real", List.of(new Target(0, sectors, "linear", "8:16 6144")),
                "aotvg-data", List.of(new Target(0, sectors, "snapshot-origin", REAL.toString())),
                lv + "-cow", List.of(new Target(0, 4096, "linear", "8:16 8192")),
                lv, List.of(new Target(0, sectors, "snapshot", REAL + " " + COW + " P 8")));
        Map<String, List<Target>> status = Map.of(lv, List.of(new Target(0, sectors, "snapshot", "2144/4096 16")));
        return new DmView() {
            @Override
            public boolean exists(String name) {
                return tables.containsKey(name);
            }

            @Override
            public List<Target> table(String name) {
                return tables.getOrDefault(name, List.of());
            }

            @Override
            public List<Target> status(String name) {
                return status.getOrDefault(name, List.of());
            }

            @Override
            public List<DmDevice> list() {
                return devices;
            }

            @Override
            public Optional<String> nameOf(DevNo dev) {
                return devices.stream().filter(d -> d.dev().equals(dev)).map(DmDevice::name).findFirst();
            }

            @Override
            public int openCount(DevNo dev) {
                return 0;
            }
        };
    }

    /** A destination device's queue limits and dm UUID, as Destination reads them, from a sysfs-shaped directory. */
    private static void sysfs(Path dir) throws IOException {
        Path dev = Files.createDirectories(dir.resolve("sys/dev/block/253:14"));
        Files.createDirectories(dev.resolve("queue"));
        Files.createDirectories(dev.resolve("dm"));
        Files.writeString(dev.resolve("queue/write_zeroes_max_bytes"), "0\n");
        Files.writeString(dev.resolve("dm/uuid"), "LVM-aotaotaot\n");
        SysBlock sys = SysBlock.at(dev);
        if (sys.queue("discard_zeroes_data").isPresent() || sys.queue("write_zeroes_max_bytes").orElse(-1) != 0
                || !sys.dmUuid().equals(Optional.of("LVM-aotaotaot"))) {
            throw new IllegalStateException("the training's sysfs directory read otherwise than written");
        }
    }

    /**
     * The send of a local sync after discovery: the stream's identity, the local sink a
     * sync opens (the applier with an undo file and a state directory), the sender.
     */
    private static void sync(Path dir, ClassicSnapshot snapshot, RunList runs, Path origin, Path destination)
            throws IOException {
        TransferOptions transfer = new TransferOptions(StreamWriting.DEFAULT, false, false, false,
                Optional.of(dir.resolve("state")));
        SendRequest request = new SendRequest(snapshot.name().toString(), Optional.empty(),
                Optional.of(destination.toString()), false, Optional.of(dir.resolve("undo-sync")), Optional.empty(),
                List.of("ssh"), false, transfer);
        // the identity a real run gives it asks device-mapper for the snapshot's UUIDs
        StreamIdentity identity = RealDmTraining.available()
                ? StreamIdentities.of(snapshot, Optional.empty(), snapshot.sizeBytes(), runs)
                : StreamIdentities.forDevice(snapshot.name().toString(), snapshot.sizeBytes(), runs);
        try (IoEngine reader = IoEngines.open(origin);
             RecordSink sink = Sinks.open(request, Optional.of(identity), List.of())) {
            long sent = SendJob.send(runs, snapshot.sizeBytes(), reader, sink, identity, SendJob.Resume.NO, false);
            if (sent != runs.totalBytes()) {
                throw new IllegalStateException("the training's sync sent " + sent + " bytes, not " + runs.totalBytes());
            }
        }
    }

    /** The origin: chunk 3k+1 changed (its number in every byte), the rest zeros. */
    private static byte[] origin() {
        byte[] data = new byte[ORIGIN_CHUNKS * CHUNK];
        for (int c = 1; c < ORIGIN_CHUNKS; c += 3) {
            java.util.Arrays.fill(data, c * CHUNK, (c + 1) * CHUNK, (byte) (c | 1));
        }
        return data;
    }

    /**
     * A persistent COW of 4 KiB chunks as dm-snapshot writes it: the header chunk, then
     * areas of one chunk of exceptions followed by their data chunks; the first area is
     * full, the second holds 8 exceptions and the end mark (a zero new chunk).
     */
    private static byte[] cow() {
        int changed = PER_AREA + 8;
        int secondArea = 1 + 1 + PER_AREA;
        ByteBuffer cow = ByteBuffer.allocate((secondArea + 1 + 8) * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        cow.putInt(0, 0x70416e53).putInt(4, 1).putInt(8, 1).putInt(12, CHUNK / 512);
        for (int i = 0; i < changed; i++) {
            int area = i < PER_AREA ? 1 : secondArea;
            int slot = i < PER_AREA ? i : i - PER_AREA;
            cow.putLong(area * CHUNK + 16 * slot, 3L * i + 1).putLong(area * CHUNK + 16 * slot + 8, area + 1 + slot);
        }
        return cow.array();
    }
}
