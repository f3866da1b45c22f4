package org.lvmsync.apply;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.lvmsync.os.AlignedBuffer;

/**
 * Records staged for one write to the destination: their bytes in an aligned buffer and,
 * per piece, its kind, where it goes on the device and where its bytes are in the buffer.
 * The applier fills one batch while {@link BatchWriter} writes the other.
 */
final class Batch {
    static final byte DATA = 0;
    static final byte ZERO = 1;
    static final byte DISCARD = 2;

    final MemorySegment staging;
    private final byte[] kind;
    private final long[] offset;
    private final long[] start;     // position in staging (data pieces)
    private final long[] length;
    private int pieces;
    private long used;              // staging bytes in use
    private long deviceBytes;       // device bytes the pieces cover

    Batch(Arena arena, long stagingBytes, int maxPieces) {
        staging = AlignedBuffer.allocate(arena, stagingBytes);
        kind = new byte[maxPieces];
        offset = new long[maxPieces];
        start = new long[maxPieces];
        length = new long[maxPieces];
    }

    void add(byte pieceKind, long pieceOffset, long pieceStart, long pieceLength) {
        kind[pieces] = pieceKind;
        offset[pieces] = pieceOffset;
        start[pieces] = pieceStart;
        length[pieces] = pieceLength;
        pieces++;
        deviceBytes += pieceLength;
        if (pieceKind == DATA) {
            used = pieceStart + pieceLength;
        }
    }

    void clear() {
        pieces = 0;
        used = 0;
        deviceBytes = 0;
    }

    boolean full() {
        return pieces == kind.length;
    }

    int pieces() {
        return pieces;
    }

    long used() {
        return used;
    }

    long deviceBytes() {
        return deviceBytes;
    }

    byte kind(int i) {
        return kind[i];
    }

    long offset(int i) {
        return offset[i];
    }

    long length(int i) {
        return length[i];
    }

    /**
     * The last data piece from {@code first} on that continues the one before it both on
     * the device and in the staging buffer: a sorted stream's records become one large write.
     */
    int lastAdjacent(int first) {
        int last = first;
        if (kind[first] != DATA) {
            return last;
        }
        while (last + 1 < pieces && kind[last + 1] == DATA && offset[last] + length[last] == offset[last + 1]
                && start[last] + length[last] == start[last + 1]) {
            last++;
        }
        return last;
    }

    /** The staged bytes of data pieces {@code first..last} (adjacent ones, see {@link #lastAdjacent}). */
    MemorySegment bytes(int first, int last) {
        return staging.asSlice(start[first], start[last] + length[last] - start[first]);
    }
}
