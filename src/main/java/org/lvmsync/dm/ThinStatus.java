package org.lvmsync.dm;

import java.util.OptionalLong;

/**
 * Status of a thin target: {@code <mapped sectors> <highest mapped sector>}, the highest
 * being {@code -} while nothing is mapped, or {@code Fail} when the pool failed.
 */
public record ThinStatus(boolean failed, long mappedSectors, OptionalLong highestMappedSector) {

    public static ThinStatus from(Target target) throws DmFormatException {
        Params.expectType(target, "thin");
        return parse(target.params());
    }

    public static ThinStatus parse(String params) throws DmFormatException {
        String[] t = Params.tokens(params);
        if (t.length == 1 && (t[0].equals("Fail") || t[0].equals("Error"))) {
            return new ThinStatus(true, 0, OptionalLong.empty());
        }
        if (t.length != 2) {
            throw new DmFormatException("thin status is not '<mapped sectors> <highest mapped sector>': '" + params + "'");
        }
        OptionalLong highest = t[1].equals("-") ? OptionalLong.empty()
                : OptionalLong.of(Params.number(t[1], "highest mapped sector", params));
        return new ThinStatus(false, Params.number(t[0], "mapped sectors", params), highest);
    }

    /** Nothing mapped: every block reads as zeros (unless the device has an external origin). */
    public boolean nothingMapped() {
        return !failed && mappedSectors == 0;
    }
}
