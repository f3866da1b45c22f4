package org.lvmsync.stream;

/**
 * What an extended-format record header may say, given where it stands in the stream.
 * Pure: the decoder calls it after the header checksum matched and before it reads a
 * byte of payload, so a damaged or forged length is refused before it is used.
 */
final class RecordRules {
    private RecordRules() {
    }

    /**
     * @param expected the number the record must carry (1 for the first)
     * @param identity the stream's identity, null before its header record
     * @param lastEnd  where the previous extent ended (0 before the first)
     * @return null if the header is acceptable, else what is wrong, for a one-line message
     */
    static String problem(RecordHeader h, long expected, StreamIdentity identity, long lastEnd) {
        if (h.number() != expected) {
            return "record number " + Long.toUnsignedString(h.number()) + " where " + expected
                    + " was expected: a record is missing, repeated or out of place";
        }
        String type = RecordHeader.typeName(h.type());
        if (h.type() < RecordHeader.HEADER || h.type() > RecordHeader.END) {
            return "record type " + type + " is not one of this format's";
        }
        if (h.reserved() != 0) {
            return String.format("reserved header bytes hold 0x%04x, not 0", h.reserved());
        }
        int allowedFlags = h.type() == RecordHeader.DATA ? RecordHeader.FLAG_ZSTD : 0;
        if ((h.flags() & ~allowedFlags) != 0) {
            return String.format("flags 0x%02x are not valid on a %s record", h.flags(), type);
        }
        if ((h.type() == RecordHeader.HEADER) != (expected == 1)) {
            return expected == 1 ? "the stream does not begin with its stream header record (found a " + type
                    + " record)" : "a second stream header record";
        }
        return switch (h.type()) {
            case RecordHeader.HEADER -> noExtent(h, type, 1, ExtendedFormat.MAX_IDENTITY);
            case RecordHeader.END -> noExtent(h, type, ExtendedFormat.END_PAYLOAD, ExtendedFormat.END_PAYLOAD);
            case RecordHeader.DATA -> data(h, identity, lastEnd);
            default -> h.stored() != 0 ? "a " + type + " record with " + h.stored() + " payload bytes (it has none)"
                    : extent(h, identity, lastEnd);
        };
    }

    private static String noExtent(RecordHeader h, String type, long minStored, long maxStored) {
        if (h.offset() != 0 || h.length() != 0) {
            return "the " + type + " record has offset " + Long.toUnsignedString(h.offset()) + " and length "
                    + Long.toUnsignedString(h.length()) + ", not 0 and 0";
        }
        if (h.stored() < minStored || h.stored() > maxStored) {
            return "the " + type + " record has " + h.stored() + " payload bytes, not "
                    + (minStored == maxStored ? String.valueOf(minStored) : minStored + ".." + maxStored);
        }
        return null;
    }

    private static String data(RecordHeader h, StreamIdentity identity, long lastEnd) {
        if (h.length() <= 0 || h.length() > ExtendedFormat.MAX_DATA) {
            return "data record length " + Long.toUnsignedString(h.length()) + " is outside 1.."
                    + ExtendedFormat.MAX_DATA;
        }
        if ((h.flags() & RecordHeader.FLAG_ZSTD) != 0) {
            if (h.stored() == 0 || h.stored() >= h.length()) {
                return "compressed data record stores " + h.stored() + " bytes for " + h.length()
                        + " (must be 1.." + (h.length() - 1) + ")";
            }
        } else if (h.stored() != h.length()) {
            return "data record stores " + h.stored() + " bytes for a length of " + h.length();
        }
        return extent(h, identity, lastEnd);
    }

    private static String extent(RecordHeader h, StreamIdentity identity, long lastEnd) {
        String type = RecordHeader.typeName(h.type());
        if (h.offset() < 0) {
            return "offset " + Long.toUnsignedString(h.offset()) + " is beyond 2^63";
        }
        if (h.length() == 0) {
            return "the " + type + " record has length 0 (it covers at least one byte)";
        }
        if (h.length() < 0) {
            return type + " record length " + Long.toUnsignedString(h.length()) + " is beyond 2^63";
        }
        if (h.offset() > Long.MAX_VALUE - h.length()) {
            return "offset " + h.offset() + " + length " + h.length() + " overflows 2^63";
        }
        long end = h.offset() + h.length();
        if (end > identity.deviceSize()) {
            return "the " + type + " record [" + h.offset() + ", " + end + ") ends past the device size "
                    + identity.deviceSize() + " named by the stream header";
        }
        if (h.offset() < lastEnd) {
            return "the " + type + " record at offset " + h.offset() + " overlaps or precedes the previous record,"
                    + " which ends at " + lastEnd + " (records are sorted and disjoint)";
        }
        return null;
    }
}
