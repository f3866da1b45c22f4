package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.Fd;
import org.lvmsync.stream.SnapshotIdentity;

/**
 * The file that remembers a destination's {@link DestinationState} across runs, under the
 * state directory ({@code /var/lib/lvmsync} by default). It is updated in place, crash
 * safely: two slots of {@link #SLOT} bytes, each a text record with a sequence number
 * and a CRC32C; a write goes to the slot not holding the newest record and is made durable
 * with fdatasync, so a torn write leaves the previous record readable. The newest valid
 * slot counts. A slot reads, as text (ASCII; values are LVM names and UUIDs):
 *
 * <pre>
 *   lvmsync destination record 1
 *   sequence 12
 *   destination file-/srv/vm.img
 *   holds.kind classic                     what the destination holds (absent: unknown)
 *   holds.name vg/lv-snap                  snapshot fields: kind, name, lv-uuid, origin-uuid,
 *   holds.lv-uuid LVM-...                  pool-uuid, thin-id, transaction-id
 *   run.stream 8c1f...                     a run begun and not completed (absent: none)
 *   run.durable 134217728                  its records below this device byte are durable
 *   run.to.kind classic                    what the run brings (absent: unknown)
 *   crc32c 1a2b3c4d                        of every byte before this line
 * </pre>
 * then NUL bytes to the end of the slot.
 */
final class DestinationRecord implements AutoCloseable {
    static final int SLOT = 16 * 1024;
    static final String MAGIC = "lvmsync destination record 1";

    private final Path path;
    private final String key;
    private final Fd fd;
    private long sequence;
    private int newestSlot = -1;

    private DestinationRecord(Path path, String key, Fd fd) {
        this.path = path;
        this.key = key;
        this.fd = fd;
    }

    /**
     * Opens (creating if needed) the record of destination {@code key} in {@code dir}.
     * Failing to create the directory or the file is an IOException: the caller decides
     * whether the run goes on without a record.
     */
    static DestinationRecord open(Path dir, String key) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName(key));
        boolean existed = Files.exists(file);
        Fd fd = Fd.open(file, Fd.O_RDWR | Fd.O_CREAT, 0600);
        if (!existed) {
            try (Fd d = Fd.open(dir, Fd.O_RDONLY)) {
                d.fsync();     // the new name is durable before anything relies on it
            } catch (IOException e) {
                closeQuietly(fd, e);
                throw e;
            }
        }
        return new DestinationRecord(file, key, fd);
    }

    Path path() {
        return path;
    }

    /**
     * The newest valid record; UNKNOWN for a new or empty file.
     *
     * @throws LvmsyncException (DESTINATION) when the file holds something but no slot is valid
     */
    DestinationState read() throws IOException {
        long size = fd.stat().size();
        DestinationState best = DestinationState.UNKNOWN;
        long bestSequence = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(SLOT);
            for (int slot = 0; slot < 2 && (long) slot * SLOT < size; slot++) {
                buf.fill((byte) 0);
                int n = readSlot(buf, slot);
                Parsed p = parse(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                if (p != null && p.sequence > bestSequence) {
                    best = p.state;
                    bestSequence = p.sequence;
                    newestSlot = slot;
                }
            }
        }
        if (size > 0 && bestSequence < 0) {
            throw new LvmsyncException(FailureClass.DESTINATION, "the destination record " + path
                    + " is damaged (neither copy checks); remove it, and the next run is accepted without a base"
                    + " check, or run with --force");
        }
        sequence = Math.max(bestSequence, 0);
        return best;
    }

    private int readSlot(MemorySegment buf, int slot) throws IOException {
        int done = 0;
        while (done < SLOT) {
            int n = fd.pread(buf.asSlice(done), (long) slot * SLOT + done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** Writes {@code state} as the newest record and makes it durable. */
    void write(DestinationState state) throws IOException {
        byte[] text = format(state, sequence + 1);
        if (text.length > SLOT) {
            throw new IllegalArgumentException("destination record of " + text.length + " bytes");
        }
        int slot = newestSlot == 0 ? 1 : 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(SLOT);
            MemorySegment.copy(MemorySegment.ofArray(text), 0, buf, 0, text.length);
            fd.pwriteFully(buf, (long) slot * SLOT);
        }
        fd.fdatasync();
        sequence++;
        newestSlot = slot;
    }

    byte[] format(DestinationState state, long seq) {
        StringBuilder b = new StringBuilder();
        b.append(MAGIC).append('\n');
        b.append("sequence ").append(seq).append('\n');
        b.append("destination ").append(printable(key)).append('\n');
        state.holds().ifPresent(h -> snapshot(b, "holds.", h));
        state.run().ifPresent(r -> {
            b.append("run.stream ").append(r.stream()).append('\n');
            b.append("run.durable ").append(r.durable()).append('\n');
            r.to().ifPresent(t -> snapshot(b, "run.to.", t));
        });
        byte[] body = b.toString().getBytes(StandardCharsets.US_ASCII);
        CRC32C crc = new CRC32C();
        crc.update(body);
        String tail = String.format("crc32c %08x\n", crc.getValue());
        byte[] all = new byte[body.length + tail.length()];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, all, body.length, tail.length());
        return all;
    }

    private static void snapshot(StringBuilder b, String prefix, SnapshotIdentity s) {
        b.append(prefix).append("kind ").append(s.kind().name().toLowerCase(java.util.Locale.ROOT)).append('\n');
        s.name().ifPresent(v -> b.append(prefix).append("name ").append(v).append('\n'));
        s.lvUuid().ifPresent(v -> b.append(prefix).append("lv-uuid ").append(v).append('\n'));
        s.originUuid().ifPresent(v -> b.append(prefix).append("origin-uuid ").append(v).append('\n'));
        s.poolUuid().ifPresent(v -> b.append(prefix).append("pool-uuid ").append(v).append('\n'));
        s.thinId().ifPresent(v -> b.append(prefix).append("thin-id ").append(v).append('\n'));
        s.transactionId().ifPresent(v -> b.append(prefix).append("transaction-id ").append(v).append('\n'));
    }

    private record Parsed(long sequence, DestinationState state) {
    }

    /** A slot's record, or null if it is not a whole, valid one. */
    static Parsed parse(byte[] slot) {
        String text = new String(slot, StandardCharsets.ISO_8859_1);
        int end = text.indexOf('\0');
        text = end < 0 ? text : text.substring(0, end);
        int crcAt = text.lastIndexOf("crc32c ");
        if (crcAt < 0 || !text.endsWith("\n") || (crcAt > 0 && text.charAt(crcAt - 1) != '\n')) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(slot, 0, crcAt);
        if (!text.substring(crcAt).equals(String.format("crc32c %08x\n", crc.getValue()))) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        String[] lines = text.substring(0, crcAt).split("\n");
        if (lines.length < 2 || !lines[0].equals(MAGIC)) {
            return null;
        }
        for (int i = 1; i < lines.length; i++) {
            int sp = lines[i].indexOf(' ');
            if (sp <= 0 || fields.put(lines[i].substring(0, sp), lines[i].substring(sp + 1)) != null) {
                return null;
            }
        }
        try {
            return new Parsed(Long.parseLong(fields.remove("sequence")), state(fields));
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static DestinationState state(Map<String, String> f) {
        f.remove("destination");
        Optional<SnapshotIdentity> holds = snapshot(f, "holds.");
        Optional<DestinationState.Run> run = Optional.empty();
        String stream = f.remove("run.stream");
        if (stream != null) {
            long durable = Long.parseLong(f.remove("run.durable"));
            run = Optional.of(new DestinationState.Run(UUID.fromString(stream), snapshot(f, "run.to."), durable));
        }
        if (!f.isEmpty()) {
            throw new IllegalArgumentException("unknown fields " + f.keySet());
        }
        return new DestinationState(holds, run);
    }

    private static Optional<SnapshotIdentity> snapshot(Map<String, String> f, String prefix) {
        String kind = f.remove(prefix + "kind");
        if (kind == null) {
            return Optional.empty();
        }
        return Optional.of(new SnapshotIdentity(SnapshotIdentity.Kind.valueOf(kind.toUpperCase(java.util.Locale.ROOT)),
                Optional.ofNullable(f.remove(prefix + "name")), Optional.ofNullable(f.remove(prefix + "lv-uuid")),
                Optional.ofNullable(f.remove(prefix + "origin-uuid")), Optional.ofNullable(f.remove(prefix + "pool-uuid")),
                number(f.remove(prefix + "thin-id")), number(f.remove(prefix + "transaction-id"))));
    }

    private static OptionalLong number(String v) {
        return v == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
    }

    /** The file name for a destination key: readable where it can be, unique always. */
    static String fileName(String key) {
        StringBuilder b = new StringBuilder();
        for (byte c : key.getBytes(StandardCharsets.UTF_8)) {
            int u = c & 0xff;
            if (u < 0x80 && (Character.isLetterOrDigit(u) || u == '.' || u == '-' || u == '_') && !(u == '.' && b.isEmpty())) {
                b.append((char) u);
            } else {
                b.append(String.format("%%%02X", u));
            }
        }
        String name = b.toString();
        if (name.length() > 200) {
            CRC32C crc = new CRC32C();
            crc.update(key.getBytes(StandardCharsets.UTF_8));
            name = name.substring(0, 180) + "~" + String.format("%08x", crc.getValue()) + "-" + key.length();
        }
        return name + ".state";
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }

    private static void closeQuietly(Fd fd, Exception e) {
        try {
            fd.close();
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    @Override
    public void close() throws IOException {
        fd.close();
    }
}
