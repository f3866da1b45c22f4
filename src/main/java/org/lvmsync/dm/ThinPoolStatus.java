package org.lvmsync.dm;

import java.util.List;
import java.util.OptionalLong;

/**
 * Status of a thin-pool target:
 * {@code <transaction id> <used>/<total metadata blocks> <used>/<total data blocks> <held root|->
 * ro|rw|out_of_data_space [no_]discard_passdown error|queue_if_no_space needs_check|- [low watermark]},
 * or {@code Fail} / {@code Error} when the pool has failed. Only the first five fields exist
 * on every kernel; the rest is kept as words. The held root is the metadata block of the
 * snapshot taken with {@code reserve_metadata_snap}.
 */
public record ThinPoolStatus(boolean failed, long transactionId, long usedMetadataBlocks, long totalMetadataBlocks,
                             long usedDataBlocks, long totalDataBlocks, OptionalLong heldMetadataRoot,
                             String mode, List<String> flags) {

    public static ThinPoolStatus from(Target target) throws DmFormatException {
        Params.expectType(target, "thin-pool");
        return parse(target.params());
    }

    public static ThinPoolStatus parse(String params) throws DmFormatException {
        String[] t = Params.tokens(params);
        if (t.length == 1 && (t[0].equals("Fail") || t[0].equals("Error"))) {
            return new ThinPoolStatus(true, 0, 0, 0, 0, 0, OptionalLong.empty(), t[0], List.of());
        }
        if (t.length < 4) {
            throw new DmFormatException("thin-pool status is too short: '" + params + "'");
        }
        long[] meta = Params.ratio(t[1], "metadata usage", params);
        long[] data = Params.ratio(t[2], "data usage", params);
        OptionalLong held = t[3].equals("-") ? OptionalLong.empty()
                : OptionalLong.of(Params.number(t[3], "held metadata root", params));
        String mode = t.length > 4 ? t[4] : "";
        List<String> flags = t.length > 5 ? List.of(t).subList(5, t.length) : List.of();
        return new ThinPoolStatus(false, Params.number(t[0], "transaction id", params),
                meta[0], meta[1], data[0], data[1], held, mode, flags);
    }

    /** The kernel asks for thin_check before the pool may be trusted again. */
    public boolean needsCheck() {
        return flags.contains("needs_check");
    }

    public boolean readOnly() {
        return mode.equals("ro");
    }
}
