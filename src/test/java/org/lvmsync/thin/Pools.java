package org.lvmsync.thin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.lvmsync.thin.fixture.Mappings;
import org.lvmsync.thin.fixture.PoolXml;
import org.lvmsync.thin.fixture.ThinTools;

/** Helpers shared by the thin tests: the expected diff from arrays, our outputs as text, the tools' outputs. */
final class Pools {
    record Range(long begin, long length, DeltaKind kind) {
    }

    private Pools() {
    }

    /** The diff computed block by block from the fixture's arrays: the model ThinDiff must match. */
    static List<Range> expectedDiff(Mappings left, Mappings right) {
        List<Range> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        long[] cur = {-1, -1, -1}; // begin, end, kind ordinal
        while (i < left.size() || j < right.size()) {
            long lv = i < left.size() ? left.virt(i) : Long.MAX_VALUE;
            long rv = j < right.size() ? right.virt(j) : Long.MAX_VALUE;
            if (lv < rv) {
                add(out, cur, lv, DeltaKind.LEFT_ONLY);
                i++;
            } else if (rv < lv) {
                add(out, cur, rv, DeltaKind.RIGHT_ONLY);
                j++;
            } else {
                if (left.data(i) != right.data(j)) {
                    add(out, cur, lv, DeltaKind.DIFFERENT);
                }
                i++;
                j++;
            }
        }
        if (cur[0] >= 0) {
            out.add(new Range(cur[0], cur[1] - cur[0], DeltaKind.values()[(int) cur[2]]));
        }
        return out;
    }

    private static void add(List<Range> out, long[] cur, long v, DeltaKind kind) {
        if (cur[0] >= 0 && cur[1] == v && cur[2] == kind.ordinal()) {
            cur[1]++;
            return;
        }
        if (cur[0] >= 0) {
            out.add(new Range(cur[0], cur[1] - cur[0], DeltaKind.values()[(int) cur[2]]));
        }
        cur[0] = v;
        cur[1] = v + 1;
        cur[2] = kind.ordinal();
    }

    static List<Range> diff(ThinMetadata md, long left, long right) {
        List<Range> out = new ArrayList<>();
        ThinDiff.diff(md, left, right, (b, l, k) -> out.add(new Range(b, l, k)));
        return out;
    }

    /** Our thin_delta XML. */
    static String ourDelta(ThinMetadata md, long left, long right, boolean verbose) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, false, StandardCharsets.US_ASCII);
        ThinDelta.write(md, left, right, verbose, out);
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    static String toolDelta(Path meta, long left, long right, boolean verbose, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ThinTools.tool("thin_delta")));
        cmd.addAll(List.of(extra));
        if (verbose) {
            cmd.add("--verbose");
        }
        cmd.addAll(List.of("--snap1", Long.toString(left), "--snap2", Long.toString(right), meta.toString()));
        ThinTools.Result r = ThinTools.run(cmd);
        if (r.status() != 0) {
            throw new AssertionError("thin_delta failed: " + r.stderr());
        }
        return r.stdout();
    }

    /** thin_dump's XML rebuilt from our reading: superblock, details and mapping runs of every device. */
    static String ourDump(ThinMetadata md) {
        Superblock sb = md.superblock();
        StringBuilder s = new StringBuilder();
        s.append("<superblock uuid=\"\" time=\"").append(sb.time()).append("\" transaction=\"").append(sb.transactionId())
                .append("\" flags=\"").append(sb.flags()).append("\" version=\"").append(sb.version())
                .append("\" data_block_size=\"").append(sb.dataBlockSectors()).append("\" nr_data_blocks=\"")
                .append(sb.dataBlockCount()).append("\">\n");
        for (long dev : md.deviceIds()) {
            DeviceDetails d = md.details(dev);
            s.append("  <device dev_id=\"").append(dev).append("\" mapped_blocks=\"").append(d.mappedBlocks())
                    .append("\" transaction=\"").append(d.transactionId()).append("\" creation_time=\"")
                    .append(d.creationTime()).append("\" snap_time=\"").append(d.snapshottedTime()).append("\">\n");
            ThinDiff.mappings(md, dev, (b, db, len, t) -> {
                if (len == 1) {
                    s.append("    <single_mapping origin_block=\"").append(b).append("\" data_block=\"").append(db)
                            .append("\" time=\"").append(t).append("\"/>\n");
                } else {
                    s.append("    <range_mapping origin_begin=\"").append(b).append("\" data_begin=\"").append(db)
                            .append("\" length=\"").append(len).append("\" time=\"").append(t).append("\"/>\n");
                }
            });
            s.append("  </device>\n");
        }
        return s.append("</superblock>\n").toString();
    }

    static String toolDump(Path meta) throws IOException {
        ThinTools.Result r = ThinTools.run(List.of(ThinTools.tool("thin_dump"), meta.toString()));
        if (r.status() != 0) {
            throw new AssertionError("thin_dump failed: " + r.stderr());
        }
        return r.stdout();
    }

    static PoolXml pool(long dataBlocks, Mappings... devices) {
        PoolXml pool = new PoolXml();
        pool.nrDataBlocks = Math.max(1024, dataBlocks + 1);
        for (int i = 0; i < devices.length; i++) {
            pool.add(i + 1, devices[i]);
        }
        return pool;
    }
}
