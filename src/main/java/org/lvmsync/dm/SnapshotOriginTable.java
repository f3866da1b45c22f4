package org.lvmsync.dm;

/** Table parameters of a snapshot-origin target: {@code <real origin maj:min>}, e.g. {@code 253:1}. */
public record SnapshotOriginTable(DevNo real) {

    public static SnapshotOriginTable from(Target target) throws DmFormatException {
        Params.expectType(target, "snapshot-origin");
        return parse(target.params());
    }

    public static SnapshotOriginTable parse(String params) throws DmFormatException {
        String[] t = Params.tokens(params);
        if (t.length != 1) {
            throw new DmFormatException("snapshot-origin table should be one device, found '" + params + "'");
        }
        return new SnapshotOriginTable(DevNo.parse(t[0]));
    }
}
