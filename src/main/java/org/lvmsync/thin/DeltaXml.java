package org.lvmsync.thin;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * thin_delta 0.9.0's XML, byte for byte, from the blocks a {@link Lockstep} walk reports.
 *
 * <p>thin_delta joins each device's mappings into runs of consecutive virtual and data
 * blocks, then cuts the virtual address space wherever a run of either side starts or
 * ends; each piece mapped on at least one side is an event: left only, right only,
 * different or same. The plain output joins adjacent events of one kind into one element
 * ({@code <same begin=".." length=".."/>}); the verbose output writes one {@code <range>}
 * per event, with data block numbers, grouped in an element per kind for as long as the
 * kind does not change. Both list the "same" pieces too. Here the pieces are found block
 * by block (a piece ends where either side's run breaks), so nothing is held per mapping.
 */
final class DeltaXml implements Lockstep.PairSink {
    private static final int LEFT_ONLY = 0;
    private static final int RIGHT_ONLY = 1;
    private static final int DIFFERENT = 2;
    private static final int SAME = 3;
    private static final String[] NAMES = {"left_only", "right_only", "different", "same"};
    private static final int FLUSH_AT = 1 << 16;

    private final PrintStream out;
    private final boolean verbose;
    private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 256);

    // the piece being built
    private boolean inPiece;
    private int kind;
    private long begin;
    private long end;
    private long leftDataBegin;
    private long rightDataBegin;
    private boolean hasLeft;
    private boolean hasRight;

    // plain output: the element being joined; verbose output: the open group
    private int pendingKind = -1;
    private long pendingBegin;
    private long pendingEnd;

    DeltaXml(PrintStream out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    void begin(Superblock sb, boolean metadataSnapshot, long left, long right) {
        // a metadata snapshot's copy has its space maps wiped: thin_delta reports 0 data blocks then
        long dataBlocks = metadataSnapshot ? 0 : sb.dataBlockCount();
        buffer.append("<superblock uuid=\"\" time=\"").append(Integer.toUnsignedString(sb.time()))
                .append("\" transaction=\"").append(Long.toUnsignedString(sb.transactionId()))
                .append("\" data_block_size=\"").append(Integer.toUnsignedString(sb.dataBlockSectors()))
                .append("\" nr_data_blocks=\"").append(Long.toUnsignedString(dataBlocks));
        if (sb.heldRoot() != 0) {
            buffer.append("\" metadata_snap=\"").append(Long.toUnsignedString(sb.heldRoot()));
        }
        buffer.append("\">\n  <diff left=\"").append(Long.toUnsignedString(left))
                .append("\" right=\"").append(Long.toUnsignedString(right)).append("\">\n");
    }

    @Override
    public void leftOnly(long key, long data, long length) {
        blocks(key, length, true, data, false, 0);
    }

    @Override
    public void rightOnly(long key, long data, long length) {
        blocks(key, length, false, 0, true, data);
    }

    @Override
    public void both(long key, long leftData, long rightData, long length) {
        blocks(key, length, true, leftData, true, rightData);
    }

    /** A run of blocks, each side's data consecutive along it: it extends the piece or starts one. */
    private void blocks(long v, long length, boolean l, long ld, boolean r, long rd) {
        long offset = v - begin;
        if (inPiece && v == end && l == hasLeft && r == hasRight
                && (!l || ld == leftDataBegin + offset) && (!r || rd == rightDataBegin + offset)) {
            end += length;
            return;
        }
        if (inPiece) {
            piece();
        }
        inPiece = true;
        kind = !r ? LEFT_ONLY : !l ? RIGHT_ONLY : ld != rd ? DIFFERENT : SAME;
        begin = v;
        end = v + length;
        hasLeft = l;
        hasRight = r;
        leftDataBegin = ld;
        rightDataBegin = rd;
    }

    private void piece() {
        if (verbose) {
            verbosePiece();
        } else if (kind == pendingKind && begin == pendingEnd) {
            pendingEnd = end;
        } else {
            flushPlain();
            pendingKind = kind;
            pendingBegin = begin;
            pendingEnd = end;
        }
        if (buffer.length() >= FLUSH_AT) {
            flushBuffer();
        }
    }

    private void flushPlain() {
        if (pendingKind >= 0) {
            buffer.append("    <").append(NAMES[pendingKind]).append(" begin=\"").append(pendingBegin)
                    .append("\" length=\"").append(pendingEnd - pendingBegin).append("\"/>\n");
        }
    }

    private void verbosePiece() {
        if (kind != pendingKind) {
            closeGroup();
            buffer.append("    <").append(NAMES[kind]).append(">\n");
            pendingKind = kind;
        }
        buffer.append("      <range begin=\"").append(begin);
        if (kind == DIFFERENT) {
            buffer.append("\" left_data_begin=\"").append(leftDataBegin)
                    .append("\" right_data_begin=\"").append(rightDataBegin);
        } else {
            buffer.append("\" data_begin=\"").append(kind == RIGHT_ONLY ? rightDataBegin : leftDataBegin);
        }
        buffer.append("\" length=\"").append(end - begin).append("\"/>\n");
    }

    private void closeGroup() {
        if (pendingKind >= 0) {
            buffer.append("    </").append(NAMES[pendingKind]).append(">\n");
        }
    }

    /** Writes the last piece and the closing tags, and flushes. */
    void finish() {
        if (inPiece) {
            piece();
            inPiece = false;
        }
        if (verbose) {
            closeGroup();
        } else {
            flushPlain();
        }
        pendingKind = -1;
        buffer.append("  </diff>\n</superblock>\n");
        flushBuffer();
        out.flush();
    }

    private void flushBuffer() {
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.ISO_8859_1);
        out.write(bytes, 0, bytes.length);
        buffer.setLength(0);
    }
}
