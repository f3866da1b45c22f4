package org.lvmsync.thin;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;

/**
 * One consistent view of a thin pool's metadata: a validated superblock (block 0, or the
 * metadata snapshot copy at its held root) and the two trees it roots: the two-level
 * mapping tree (thin device id -> root of that device's tree; virtual block -> mapping)
 * and the device details tree (thin device id -> {@link DeviceDetails}).
 *
 * <p>Reads through a {@link BlockSource} it does not own: the caller closes the source.
 * Not thread-safe; one walk at a time.
 */
public final class ThinMetadata {
    static final int TOP_LEVEL_VALUE_SIZE = 8;
    static final int MAPPING_VALUE_SIZE = 8;
    private static final int LISTED_DEVICES = 10;

    private final NodeReader reader;
    private final Superblock live;
    private final Superblock superblock;
    private final long location;

    private ThinMetadata(NodeReader reader, Superblock live, Superblock superblock, long location) {
        this.reader = reader;
        this.live = live;
        this.superblock = superblock;
        this.location = location;
    }

    public static ThinMetadata open(BlockSource source, MetadataRoot root) {
        NodeReader reader = new NodeReader(source);
        Superblock live = reader.superblock(0, "the start of the metadata");
        return switch (root) {
            case MetadataRoot.Live l -> new ThinMetadata(reader, live, live, 0);
            case MetadataRoot.Held held -> {
                long at = heldRoot(source.name(), live, held.expected());
                yield new ThinMetadata(reader, live, reader.superblock(at, "the superblock's held root"), at);
            }
        };
    }

    private static long heldRoot(String name, Superblock live, OptionalLong expected) {
        long held = live.heldRoot();
        if (held == 0) {
            throw new LvmsyncException(FailureClass.SNAPSHOT_UNUSABLE, name + ": no metadata snapshot is held (the superblock's "
                    + "held root is 0): reserve one first (dmsetup message POOL-tpool 0 reserve_metadata_snap)");
        }
        if (expected.isPresent() && expected.getAsLong() != held) {
            throw new LvmsyncException(FailureClass.SNAPSHOT_UNUSABLE, name + ": the held metadata snapshot is at block " + held
                    + ", not at block " + expected.getAsLong() + " as asked: a stale view of the device, "
                    + "or the snapshot was released and taken again");
        }
        return held;
    }

    public String name() {
        return reader.name();
    }

    /** Block 0. */
    public Superblock liveSuperblock() {
        return live;
    }

    /** The superblock the trees are read from (block 0, or the metadata snapshot). */
    public Superblock superblock() {
        return superblock;
    }

    /** Where {@link #superblock()} was read from. */
    public long superblockLocation() {
        return location;
    }

    public long dataBlockBytes() {
        return superblock.dataBlockBytes();
    }

    /** Nodes read so far, superblocks not counted. */
    public long nodesRead() {
        return reader.nodesRead();
    }

    NodeReader reader() {
        return reader;
    }

    /** The root of thin device {@code devId}'s mapping tree, if the pool holds the device. */
    public OptionalLong findMappingRoot(long devId) {
        TreeCursor top = topLevel();
        return top.seek(devId) ? OptionalLong.of(top.value()) : OptionalLong.empty();
    }

    public long mappingRoot(long devId) {
        OptionalLong root = findMappingRoot(devId);
        if (root.isEmpty()) {
            throw notFound(devId);
        }
        return root.getAsLong();
    }

    public DeviceDetails details(long devId) {
        TreeCursor details = new TreeCursor(reader, superblock.deviceDetailsRoot(), DeviceDetails.BYTES,
                "the device details tree");
        if (!details.seek(devId)) {
            throw notFound(devId);
        }
        BtreeNode node = details.entryNode();
        return DeviceDetails.read(node.block(), node.valueOffset(details.entryIndex()));
    }

    /** The thin device ids the mapping tree holds, ascending. */
    public List<Long> deviceIds() {
        List<Long> ids = new ArrayList<>();
        topLevel().drain((k, v) -> ids.add(k));
        return ids;
    }

    /** A cursor over thin device {@code devId}'s mappings (virtual block -> mapping value). */
    TreeCursor mappings(long devId) {
        // String.concat, not +: an indy concatenation costs milliseconds to link in a cold JVM
        String what = "thin device ".concat(Long.toString(devId)).concat("'s mapping tree");
        return new TreeCursor(reader, mappingRoot(devId), MAPPING_VALUE_SIZE, what);
    }

    private TreeCursor topLevel() {
        return new TreeCursor(reader, superblock.dataMappingRoot(), TOP_LEVEL_VALUE_SIZE, "the mapping tree's top level");
    }

    private ThinDeviceNotFoundException notFound(long devId) {
        List<Long> ids = new ArrayList<>();
        TreeCursor top = topLevel();
        top.drain((k, v) -> {
            if (ids.size() <= LISTED_DEVICES) {
                ids.add(k);
            }
        });
        String known = ids.isEmpty() ? "no devices" : "devices " + (ids.size() > LISTED_DEVICES
                ? ids.subList(0, LISTED_DEVICES) + " and more" : ids.toString());
        return new ThinDeviceNotFoundException(reader.name(), devId, known.replace("[", "").replace("]", ""));
    }
}
