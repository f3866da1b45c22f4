package org.lvmsync.stream;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which snapshot a stream comes from or leads from, as far as the sender knows it. The
 * name is for messages; the UUIDs and ids are what a receiver compares. Text fields are
 * printable ASCII of 1..255 bytes (LVM names and UUIDs are).
 *
 * @param kind          classic dm-snapshot or thin snapshot
 * @param name          e.g. {@code vg/lv-snap}
 * @param lvUuid        the snapshot LV's UUID (or its device-mapper UUID)
 * @param originUuid    the origin LV's UUID
 * @param poolUuid      the thin pool's UUID (thin only)
 * @param thinId        the thin device id in its pool (thin only)
 * @param transactionId the pool's transaction id when the stream was made (thin only)
 */
public record SnapshotIdentity(Kind kind, Optional<String> name, Optional<String> lvUuid,
                               Optional<String> originUuid, Optional<String> poolUuid,
                               OptionalLong thinId, OptionalLong transactionId) {
    public static final int MAX_TEXT = 255;

    public enum Kind {
        CLASSIC(1), THIN(2);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Optional<Kind> of(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    public SnapshotIdentity {
        Objects.requireNonNull(kind, "kind");
        for (Optional<String> text : java.util.List.of(name, lvUuid, originUuid, poolUuid)) {
            text.ifPresent(SnapshotIdentity::checkText);
        }
        Objects.requireNonNull(thinId, "thinId");
        Objects.requireNonNull(transactionId, "transactionId");
        if (thinId.isPresent() && thinId.getAsLong() < 0 || transactionId.isPresent() && transactionId.getAsLong() < 0) {
            throw new IllegalArgumentException("negative thin id or transaction id");
        }
    }

    /** A classic snapshot known by name and UUIDs. */
    public static SnapshotIdentity classic(String name, String lvUuid, String originUuid) {
        return new SnapshotIdentity(Kind.CLASSIC, Optional.of(name), Optional.of(lvUuid), Optional.of(originUuid),
                Optional.empty(), OptionalLong.empty(), OptionalLong.empty());
    }

    /** A thin snapshot known by name, UUIDs and its place in the pool. */
    public static SnapshotIdentity thin(String name, String lvUuid, String originUuid, String poolUuid, long thinId,
                                        long transactionId) {
        return new SnapshotIdentity(Kind.THIN, Optional.of(name), Optional.of(lvUuid), Optional.of(originUuid),
                Optional.of(poolUuid), OptionalLong.of(thinId), OptionalLong.of(transactionId));
    }

    /** Null if {@code text} may be carried, else what is wrong with it. */
    static String textProblem(String text) {
        if (text.isEmpty() || text.length() > MAX_TEXT) {
            return "has " + text.length() + " characters (1.." + MAX_TEXT + " allowed)";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return String.format("holds character 0x%02x at %d (printable ASCII only)", (int) c, i);
            }
        }
        return null;
    }

    private static void checkText(String text) {
        String problem = textProblem(text);
        if (problem != null) {
            throw new IllegalArgumentException("snapshot identity text \"" + text + "\" " + problem);
        }
    }
}
