package org.lvmsync.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The 40-byte header of an extended-format record, big-endian, fields in stream order:
 *
 * <pre>
 *   0  u8   type      1 HEADER, 2 DATA, 3 ZERO, 4 DISCARD, 5 END
 *   1  u8   flags     DATA: bit 0 = the payload is one zstd frame; otherwise 0
 *   2  u16  reserved  0
 *   4  u32  stored    payload bytes after this header
 *   8  u64  number    the record's place in the stream, from 1
 *  16  u64  offset    device byte the record starts at (DATA, ZERO, DISCARD; else 0)
 *  24  u64  length    device bytes covered (DATA: uncompressed; ZERO, DISCARD; else 0)
 *  32  u32  payload   CRC32C of the stored payload (0 when there is none)
 *  36  u32  check     CRC32C of bytes 0..35
 * </pre>
 *
 * Unpacking is pure; what values mean is checked by the decoder.
 */
record RecordHeader(int type, int flags, int reserved, long stored, long number, long offset, long length,
                    int payloadCrc, int headerCrc) {
    static final int BYTES = 40;
    static final int CHECKED_BYTES = 36;

    static final int HEADER = 1;
    static final int DATA = 2;
    static final int ZERO = 3;
    static final int DISCARD = 4;
    static final int END = 5;
    static final int FLAG_ZSTD = 1;

    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static RecordHeader read(byte[] bytes) {
        MemorySegment s = MemorySegment.ofArray(bytes);
        return new RecordHeader(bytes[0] & 0xff, bytes[1] & 0xff, Short.toUnsignedInt(s.get(BE_SHORT, 2)),
                Integer.toUnsignedLong(s.get(BE_INT, 4)), s.get(BE_LONG, 8), s.get(BE_LONG, 16),
                s.get(BE_LONG, 24), s.get(BE_INT, 32), s.get(BE_INT, 36));
    }

    /**
     * Packs a header into {@code bytes[0..40)} with its check value computed.
     *
     * @return the packed header's check value
     */
    static int write(byte[] bytes, int type, int flags, long stored, long number, long offset, long length,
                     int payloadCrc) {
        MemorySegment s = MemorySegment.ofArray(bytes);
        bytes[0] = (byte) type;
        bytes[1] = (byte) flags;
        s.set(BE_SHORT, 2, (short) 0);
        s.set(BE_INT, 4, (int) stored);
        s.set(BE_LONG, 8, number);
        s.set(BE_LONG, 16, offset);
        s.set(BE_LONG, 24, length);
        s.set(BE_INT, 32, payloadCrc);
        int check = check(bytes);
        s.set(BE_INT, 36, check);
        return check;
    }

    /** CRC32C of the checked part of a packed header. */
    static int check(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CHECKED_BYTES);
        return (int) crc.getValue();
    }

    static String typeName(int type) {
        return switch (type) {
            case HEADER -> "stream header";
            case DATA -> "data";
            case ZERO -> "zero";
            case DISCARD -> "discard";
            case END -> "end";
            default -> String.format("unknown (0x%02x)", type);
        };
    }
}
