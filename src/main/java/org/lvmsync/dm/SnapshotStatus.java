package org.lvmsync.dm;

/**
 * Status of a dm-snapshot target: {@code <allocated sectors>/<total sectors> <metadata sectors>}
 * while it works, or one word when it has lost track of changes: {@code Invalid},
 * {@code Overflow} (or {@code Merge failed} for snapshot-merge). Kernels before 2.6.33 print
 * no metadata count; it reads as 0 then.
 */
public record SnapshotStatus(State state, long allocatedSectors, long totalSectors, long metadataSectors) {

    public enum State { ACTIVE, INVALID, OVERFLOW, MERGE_FAILED }

    public static SnapshotStatus from(Target target) throws DmFormatException {
        Params.expectType(target, "snapshot", "snapshot-merge");
        return parse(target.params());
    }

    public static SnapshotStatus parse(String params) throws DmFormatException {
        String line = params.strip();
        switch (line) {
            case "Invalid":
                return new SnapshotStatus(State.INVALID, 0, 0, 0);
            case "Overflow":
                return new SnapshotStatus(State.OVERFLOW, 0, 0, 0);
            case "Merge failed":
                return new SnapshotStatus(State.MERGE_FAILED, 0, 0, 0);
            default:
                break;
        }
        String[] t = Params.tokens(line);
        if (t.length < 1 || t.length > 2) {
            throw new DmFormatException("snapshot status is not '<allocated>/<total> <metadata>': '" + params + "'");
        }
        long[] usage = Params.ratio(t[0], "snapshot usage", params);
        long metadata = t.length == 2 ? Params.number(t[1], "metadata sectors", params) : 0;
        return new SnapshotStatus(State.ACTIVE, usage[0], usage[1], metadata);
    }

    /** False once the kernel dropped the snapshot: its exception store no longer tells all changes. */
    public boolean isValid() {
        return state == State.ACTIVE;
    }
}
