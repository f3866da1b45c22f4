package org.lvmsync.dm;

import java.util.List;

/**
 * Table parameters of a thin-pool target:
 * {@code <metadata maj:min> <data maj:min> <block sectors> <low water blocks> [<#features> <feature>...]},
 * e.g. {@code 253:1 253:2 128 0 1 skip_block_zeroing}.
 */
public record ThinPoolTable(DevNo metadata, DevNo data, long blockSectors, long lowWaterBlocks, List<String> features) {

    public static ThinPoolTable from(Target target) throws DmFormatException {
        Params.expectType(target, "thin-pool");
        return parse(target.params());
    }

    public static ThinPoolTable parse(String params) throws DmFormatException {
        String[] t = Params.tokens(params);
        if (t.length < 4) {
            throw new DmFormatException("thin-pool table needs metadata, data, block size and low water mark: '"
                    + params + "'");
        }
        long block = Params.number(t[2], "data block size", params);
        if (block == 0) {
            throw new DmFormatException("thin-pool data block size is 0 in '" + params + "'");
        }
        return new ThinPoolTable(DevNo.parse(t[0]), DevNo.parse(t[1]), block,
                Params.number(t[3], "low water mark", params), Params.features(t, 4, params));
    }

    public long blockBytes() {
        return blockSectors * 512;
    }
}
