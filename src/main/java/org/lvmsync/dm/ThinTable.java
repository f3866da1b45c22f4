package org.lvmsync.dm;

import java.util.Optional;

/**
 * Table parameters of a thin target: {@code <pool maj:min> <device id> [<external origin maj:min>]},
 * e.g. {@code 253:3 1}. The pool device is the pool target (LVM's {@code VG-POOL-tpool}).
 */
public record ThinTable(DevNo pool, long deviceId, Optional<DevNo> externalOrigin) {

    public static ThinTable from(Target target) throws DmFormatException {
        Params.expectType(target, "thin");
        return parse(target.params());
    }

    public static ThinTable parse(String params) throws DmFormatException {
        String[] t = Params.tokens(params);
        if (t.length < 2 || t.length > 3) {
            throw new DmFormatException("thin table is not '<pool> <device id> [<external origin>]': '" + params + "'");
        }
        long id = Params.number(t[1], "thin device id", params);
        if (id >= 1L << 24) {
            throw new DmFormatException("thin device id " + id + " exceeds 24 bits in '" + params + "'");
        }
        return new ThinTable(DevNo.parse(t[0]), id, t.length == 3 ? Optional.of(DevNo.parse(t[2])) : Optional.empty());
    }
}
