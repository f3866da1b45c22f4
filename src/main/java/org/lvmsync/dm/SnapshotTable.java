package org.lvmsync.dm;

import java.util.List;

/**
 * Table parameters of a dm-snapshot target, as the kernel prints them:
 * {@code <origin maj:min> <cow maj:min> <P|N|PO> <chunk sectors> [<#features> <feature>...]},
 * e.g. {@code 253:1 253:2 P 8}. The COW device comes from here, never from a guessed name.
 * The same parameters serve {@code snapshot-merge}, which lvmsync refuses elsewhere.
 */
public record SnapshotTable(DevNo origin, DevNo cow, boolean persistent, long chunkSectors, List<String> features) {

    public static SnapshotTable from(Target target) throws DmFormatException {
        Params.expectType(target, "snapshot", "snapshot-merge");
        return parse(target.params());
    }

    public static SnapshotTable parse(String params) throws DmFormatException {
        String[] t = Params.tokens(params);
        if (t.length < 4) {
            throw new DmFormatException("snapshot table needs origin, cow, persistence and chunk size: '" + params + "'");
        }
        boolean persistent = switch (t[2]) {
            case "P", "PO" -> true;
            case "N" -> false;
            default -> throw new DmFormatException("snapshot persistence '" + t[2] + "' is not P, PO or N in '" + params + "'");
        };
        long chunk = Params.number(t[3], "chunk size", params);
        if (chunk == 0 || Long.bitCount(chunk) != 1) {
            throw new DmFormatException("snapshot chunk size " + chunk + " is not a power of two in '" + params + "'");
        }
        return new SnapshotTable(DevNo.parse(t[0]), DevNo.parse(t[1]), persistent, chunk, Params.features(t, 4, params));
    }

    public long chunkBytes() {
        return chunkSectors * 512;
    }
}
