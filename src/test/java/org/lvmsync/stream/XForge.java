package org.lvmsync.stream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Builds extended-format streams byte by byte from the format's description, without the
 * encoder's code: the oracle the encoder is compared with, and the maker of hostile
 * streams whose damaged fields carry valid checksums (so the decoder's field checks are
 * reached, not only its CRC checks).
 */
final class XForge {
    static final String HANDSHAKE = "lvmsync XPROTO[1]\n";
    static final int HEADER = 1;
    static final int DATA = 2;
    static final int ZERO = 3;
    static final int DISCARD = 4;
    static final int END = 5;

    /** One record header, every field settable; CRCs are computed unless set. */
    static final class Rec {
        int type;
        int flags;
        int reserved;
        Long stored;          // null: the payload's length
        Long number;          // null: the next number
        long offset;
        long length;
        Integer payloadCrc;   // null: computed
        Integer headerCrc;    // null: computed
        byte[] payload = new byte[0];
        boolean digested = true;   // false for the end record

        Rec(int type) {
            this.type = type;
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final MessageDigest sha = sha256();
    private final List<Integer> starts = new ArrayList<>();
    private long number;
    long dataBytes;
    long zeroBytes;
    long discardBytes;

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    XForge handshake() {
        return raw(HANDSHAKE.getBytes(StandardCharsets.US_ASCII));
    }

    /** Bytes as they are, digested like a handshake (for forged handshakes and junk). */
    XForge raw(byte[] bytes) {
        out.writeBytes(bytes);
        sha.update(bytes);
        return this;
    }

    /** Record numbers so far. */
    long records() {
        return number;
    }

    /** Stream byte where each record starts. */
    List<Integer> starts() {
        return starts;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    XForge record(Rec r) {
        long n = r.number != null ? r.number : number + 1;
        number++;
        ByteBuffer h = ByteBuffer.allocate(40);
        h.put((byte) r.type).put((byte) r.flags).putShort((short) r.reserved);
        h.putInt((int) (r.stored != null ? r.stored : r.payload.length));
        h.putLong(n).putLong(r.offset).putLong(r.length);
        h.putInt(r.payloadCrc != null ? r.payloadCrc : crc(r.payload, 0, r.payload.length));
        byte[] b = h.array();
        h.putInt(r.headerCrc != null ? r.headerCrc : crc(b, 0, 36));
        starts.add(out.size());
        out.writeBytes(b);
        out.writeBytes(r.payload);
        if (r.digested) {
            sha.update(b);
        }
        return this;
    }

    XForge identity(byte[] tlv) {
        Rec r = new Rec(HEADER);
        r.payload = tlv;
        return record(r);
    }

    XForge data(long offset, byte[] bytes) {
        Rec r = new Rec(DATA);
        r.offset = offset;
        r.length = bytes.length;
        r.payload = bytes;
        dataBytes += bytes.length;
        return record(r);
    }

    XForge zstd(long offset, long length, byte[] frame) {
        Rec r = new Rec(DATA);
        r.flags = 1;
        r.offset = offset;
        r.length = length;
        r.payload = frame;
        dataBytes += length;
        return record(r);
    }

    XForge zero(long offset, long length) {
        Rec r = new Rec(ZERO);
        r.offset = offset;
        r.length = length;
        zeroBytes += length;
        return record(r);
    }

    XForge discard(long offset, long length) {
        Rec r = new Rec(DISCARD);
        r.offset = offset;
        r.length = length;
        discardBytes += length;
        return record(r);
    }

    /** The end record as the format wants it. */
    XForge end() {
        return end(number, out.size(), dataBytes, zeroBytes, discardBytes, sha256Now());
    }

    /** The digest of everything so far (the end record's digest field). */
    byte[] sha256Now() {
        try {
            return ((MessageDigest) sha.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    XForge end(long records, long streamBytes, long data, long zero, long discard, byte[] digest) {
        Rec r = new Rec(END);
        r.payload = endPayload(records, streamBytes, data, zero, discard, digest);
        r.digested = false;
        return record(r);
    }

    static byte[] endPayload(long records, long streamBytes, long data, long zero, long discard, byte[] digest) {
        return ByteBuffer.allocate(72).putLong(records).putLong(streamBytes).putLong(data).putLong(zero)
                .putLong(discard).put(digest).array();
    }

    /** Identity fields, tag by tag, as the format lists them. */
    static final class Tlv {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Tlv field(int tag, byte[] value) {
            b.write(tag >>> 8);
            b.write(tag);
            b.write(value.length >>> 8);
            b.write(value.length);
            b.writeBytes(value);
            return this;
        }

        Tlv u64(int tag, long v) {
            return field(tag, ByteBuffer.allocate(8).putLong(v).array());
        }

        Tlv u32(int tag, long v) {
            return field(tag, ByteBuffer.allocate(4).putInt((int) v).array());
        }

        Tlv text(int tag, String s) {
            return field(tag, s.getBytes(StandardCharsets.US_ASCII));
        }

        Tlv uuid(int tag, UUID id) {
            return field(tag, ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
                    .putLong(id.getLeastSignificantBits()).array());
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }

    static final UUID EXAMPLE_ID = UUID.fromString("6c766d73-796e-4358-9000-000000000001");

    /** A classic snapshot's identity: stream id, device size, chunk size, kind, name, two UUIDs. */
    static byte[] classicIdentity(UUID id, long deviceSize, long chunk) {
        return new Tlv().uuid(0x0001, id).u64(0x0002, deviceSize).u32(0x0003, chunk)
                .field(0x0101, new byte[] {1}).text(0x0102, "vg/lv-snap")
                .text(0x0103, "snapUUID-0000-0000-0000-0000-0000-000001")
                .text(0x0104, "origUUID-0000-0000-0000-0000-0000-000002").bytes();
    }

    /** The same identity as a {@link StreamIdentity}. */
    static StreamIdentity classicIdentityValue(UUID id, long deviceSize, long chunk) {
        return new StreamIdentity(id, deviceSize, chunk, SnapshotIdentity.classic("vg/lv-snap",
                "snapUUID-0000-0000-0000-0000-0000-000001", "origUUID-0000-0000-0000-0000-0000-000002"),
                java.util.Optional.empty());
    }
}
