package org.lvmsync.stream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The payload of an extended stream's header record: a {@link StreamIdentity} as a list of
 * fields {@code u16 tag, u16 length, value}, big-endian, tags strictly ascending (so each
 * identity has exactly one encoding and a field cannot appear twice). Tags:
 *
 * <pre>
 *   0x0001 stream id        16 bytes (UUID, most significant byte first)   required
 *   0x0002 device size      u64, bytes, a positive multiple of 512          required
 *   0x0003 chunk size       u32, bytes, a multiple of 512 up to 1 GiB       required
 *   0x0004 undoes           16 bytes: the stream id a snapback file undoes  only in snapback files
 *   0x0005 whole device     0 bytes: the stream writes the whole device     only without 0x0004 and 0x02nn
 *   0x01nn the source snapshot, 0x02nn the base snapshot (optional), nn:
 *     01 kind               u8: 1 classic, 2 thin                          required in a group
 *     02 name               text      03 LV UUID      04 origin UUID       05 pool UUID
 *     06 thin id            u64       07 transaction id  u64
 * </pre>
 *
 * Text is printable ASCII, 1..255 bytes. Unknown tags, wrong lengths and missing required
 * fields are refused: a newer sender that needs more fields uses a new handshake. (0x0005
 * came after the first streams of this handshake: those lack it and read as before, as
 * streams that are no whole-device copy; a receiver older than it refuses a whole-device
 * stream at its header record, before anything is written.)
 */
final class IdentityCodec {
    static final int STREAM_ID = 0x0001;
    static final int DEVICE_SIZE = 0x0002;
    static final int CHUNK_SIZE = 0x0003;
    static final int UNDOES = 0x0004;
    static final int WHOLE_DEVICE = 0x0005;
    static final int SOURCE = 0x0100;
    static final int BASE = 0x0200;
    static final int KIND = 1;
    static final int NAME = 2;
    static final int LV_UUID = 3;
    static final int ORIGIN_UUID = 4;
    static final int POOL_UUID = 5;
    static final int THIN_ID = 6;
    static final int TRANSACTION_ID = 7;

    /** A malformed identity; the message says what, the decoder says where. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String detail) {
            super(detail, null, false, false);
        }
    }

    private IdentityCodec() {
    }

    static byte[] encode(StreamIdentity id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, STREAM_ID, uuid(id.streamId()));
        field(out, DEVICE_SIZE, u64(id.deviceSize()));
        field(out, CHUNK_SIZE, ByteBuffer.allocate(4).putInt((int) id.chunkSize()).array());
        id.undoes().ifPresent(u -> field(out, UNDOES, uuid(u)));
        if (id.wholeDevice()) {
            field(out, WHOLE_DEVICE, new byte[0]);
        }
        snapshot(out, SOURCE, id.source());
        id.base().ifPresent(b -> snapshot(out, BASE, b));
        return out.toByteArray();
    }

    private static void snapshot(ByteArrayOutputStream out, int group, SnapshotIdentity s) {
        field(out, group + KIND, new byte[] {(byte) s.kind().code});
        s.name().ifPresent(v -> field(out, group + NAME, ascii(v)));
        s.lvUuid().ifPresent(v -> field(out, group + LV_UUID, ascii(v)));
        s.originUuid().ifPresent(v -> field(out, group + ORIGIN_UUID, ascii(v)));
        s.poolUuid().ifPresent(v -> field(out, group + POOL_UUID, ascii(v)));
        s.thinId().ifPresent(v -> field(out, group + THIN_ID, u64(v)));
        s.transactionId().ifPresent(v -> field(out, group + TRANSACTION_ID, u64(v)));
    }

    private static void field(ByteArrayOutputStream out, int tag, byte[] value) {
        out.write(tag >>> 8);
        out.write(tag);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] uuid(UUID u) {
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses a whole header payload. */
    static StreamIdentity decode(ByteBuffer in) throws Malformed {
        Fields f = new Fields();
        int last = -1;
        while (in.hasRemaining()) {
            int at = in.position();
            if (in.remaining() < 4) {
                throw new Malformed("identity field at payload byte " + at + " is cut short");
            }
            int tag = Short.toUnsignedInt(in.getShort());
            int length = Short.toUnsignedInt(in.getShort());
            if (tag <= last) {
                throw new Malformed(String.format("identity field 0x%04x at payload byte %d %s", tag, at,
                        tag == last ? "appears twice" : "is out of order (tags ascend)"));
            }
            last = tag;
            if (length > in.remaining()) {
                throw new Malformed(String.format("identity field 0x%04x at payload byte %d claims %d bytes,"
                        + " %d remain", tag, at, length, in.remaining()));
            }
            byte[] value = new byte[length];
            in.get(value);
            f.put(tag, value, at);
        }
        return f.build();
    }

    /** Fields as they are read, checked one by one, then for completeness. */
    private static final class Fields {
        UUID streamId;
        Optional<UUID> undoes = Optional.empty();
        boolean wholeDevice;
        long deviceSize = -1;
        long chunkSize = -1;
        final Snap source = new Snap();
        final Snap base = new Snap();

        void put(int tag, byte[] v, int at) throws Malformed {
            switch (tag) {
                case STREAM_ID -> {
                    ByteBuffer b = ByteBuffer.wrap(fixed(tag, v, 16, at));
                    streamId = new UUID(b.getLong(), b.getLong());
                }
                case DEVICE_SIZE -> {
                    deviceSize = ByteBuffer.wrap(fixed(tag, v, 8, at)).getLong();
                    if (deviceSize <= 0 || deviceSize % 512 != 0) {
                        throw new Malformed("device size " + Long.toUnsignedString(deviceSize)
                                + " is not a positive multiple of 512");
                    }
                }
                case CHUNK_SIZE -> {
                    chunkSize = Integer.toUnsignedLong(ByteBuffer.wrap(fixed(tag, v, 4, at)).getInt());
                    if (chunkSize < 512 || chunkSize > StreamIdentity.MAX_CHUNK || chunkSize % 512 != 0) {
                        throw new Malformed("chunk size " + chunkSize + " is not a multiple of 512 in 512.."
                                + StreamIdentity.MAX_CHUNK);
                    }
                }
                case UNDOES -> {
                    ByteBuffer b = ByteBuffer.wrap(fixed(tag, v, 16, at));
                    undoes = Optional.of(new UUID(b.getLong(), b.getLong()));
                }
                case WHOLE_DEVICE -> {
                    fixed(tag, v, 0, at);
                    wholeDevice = true;
                }
                default -> {
                    int group = tag & 0xff00;
                    Snap s = group == SOURCE ? source : group == BASE ? base : null;
                    if (s == null) {
                        throw new Malformed(String.format("unknown identity field 0x%04x at payload byte %d", tag, at));
                    }
                    s.put(tag, tag & 0xff, v, at);
                }
            }
        }

        StreamIdentity build() throws Malformed {
            if (streamId == null || deviceSize < 0 || chunkSize < 0) {
                throw new Malformed("the identity lacks its " + (streamId == null ? "stream id"
                        : deviceSize < 0 ? "device size" : "chunk size") + " field");
            }
            if (source.kind == null) {
                throw new Malformed("the identity names no source snapshot (field 0x0101 missing)");
            }
            Optional<SnapshotIdentity> b = Optional.empty();
            if (base.any) {
                if (base.kind == null) {
                    throw new Malformed("the base snapshot has no kind (field 0x0201 missing)");
                }
                b = Optional.of(base.build());
            }
            if (wholeDevice && (b.isPresent() || undoes.isPresent())) {
                throw new Malformed("a whole-device stream (field 0x0005) " + (b.isPresent()
                        ? "names a base snapshot (fields 0x02nn)" : "is an undo file (field 0x0004)")
                        + ": it leads from nothing");
            }
            return new StreamIdentity(streamId, deviceSize, chunkSize, source.build(), b, undoes, wholeDevice);
        }
    }

    private static final class Snap {
        boolean any;
        SnapshotIdentity.Kind kind;
        Optional<String> name = Optional.empty();
        Optional<String> lvUuid = Optional.empty();
        Optional<String> originUuid = Optional.empty();
        Optional<String> poolUuid = Optional.empty();
        OptionalLong thinId = OptionalLong.empty();
        OptionalLong transactionId = OptionalLong.empty();

        void put(int tag, int field, byte[] v, int at) throws Malformed {
            any = true;
            switch (field) {
                case KIND -> {
                    int code = fixed(tag, v, 1, at)[0] & 0xff;
                    kind = SnapshotIdentity.Kind.of(code).orElseThrow(() -> new Malformed(String.format(
                            "identity field 0x%04x: unknown snapshot kind %d (1 classic, 2 thin)", tag, code)));
                }
                case NAME -> name = Optional.of(text(tag, v, at));
                case LV_UUID -> lvUuid = Optional.of(text(tag, v, at));
                case ORIGIN_UUID -> originUuid = Optional.of(text(tag, v, at));
                case POOL_UUID -> poolUuid = Optional.of(text(tag, v, at));
                case THIN_ID -> thinId = OptionalLong.of(id(tag, v, at));
                case TRANSACTION_ID -> transactionId = OptionalLong.of(id(tag, v, at));
                default -> throw new Malformed(String.format("unknown identity field 0x%04x at payload byte %d",
                        tag, at));
            }
        }

        SnapshotIdentity build() {
            return new SnapshotIdentity(kind, name, lvUuid, originUuid, poolUuid, thinId, transactionId);
        }
    }

    private static byte[] fixed(int tag, byte[] v, int length, int at) throws Malformed {
        if (v.length != length) {
            throw new Malformed(String.format("identity field 0x%04x at payload byte %d has %d bytes, not %d",
                    tag, at, v.length, length));
        }
        return v;
    }

    private static long id(int tag, byte[] v, int at) throws Malformed {
        long id = ByteBuffer.wrap(fixed(tag, v, 8, at)).getLong();
        if (id < 0) {
            throw new Malformed(String.format("identity field 0x%04x: id %s is beyond 2^63", tag,
                    Long.toUnsignedString(id)));
        }
        return id;
    }

    private static String text(int tag, byte[] v, int at) throws Malformed {
        String s = new String(v, StandardCharsets.ISO_8859_1);
        String problem = SnapshotIdentity.textProblem(s);
        if (problem != null) {
            throw new Malformed(String.format("identity field 0x%04x at payload byte %d %s", tag, at, problem));
        }
        return s;
    }
}
