package org.lvmsync.changes;

import java.util.Arrays;

/**
 * The changed units among {@link #UNITS} consecutive ones: a sorted array of their
 * positions (2 bytes each) while few, a bitmap (8 KiB) once the array would be larger.
 * So a page never costs more than the smaller of the two, and a run list of pages costs
 * at most 2 bytes per changed chunk and at most one bit per chunk of the origin. A page
 * whose every unit changed is the one shared {@link Full} page (a whole-device copy of a
 * 1 TiB origin costs a reference per 65536 chunks).
 */
abstract sealed class ChunkPage permits ChunkPage.Sparse, ChunkPage.Dense, ChunkPage.Full {
    static final int SHIFT = 16;
    static final int UNITS = 1 << SHIFT;
    static final int MASK = UNITS - 1;
    /** Beyond this many entries an array is larger than the bitmap. */
    static final int SPARSE_MAX = UNITS / 16;

    /** Adds position {@code at} (0..UNITS-1); returns the page to keep (a sparse page may become dense). */
    abstract ChunkPage add(int at);

    /** Sorts and removes repeats; called once, when building is over. */
    abstract ChunkPage seal();

    /** The first set position at or after {@code from}, or -1. */
    abstract int nextSet(int from);

    /** The first position at or after {@code from} that is not set, or UNITS. */
    abstract int nextClear(int from);

    abstract int count();

    /** Runs that begin in this page, given whether the unit just before the page is set. */
    abstract int runStarts(boolean previousSet);

    /** The highest set position (the page is not empty). */
    abstract int lastPosition();

    /** Where the run holding set position {@code position} starts in this page (0: it may go on before). */
    abstract int runStartOf(int position);

    abstract long retainedBytes();

    static final class Sparse extends ChunkPage {
        private char[] at = new char[4];
        private int size;

        @Override
        ChunkPage add(int position) {
            if (size == at.length) {
                if (size >= SPARSE_MAX) {
                    return toDense().add(position);
                }
                at = Arrays.copyOf(at, Math.min(SPARSE_MAX, size * 2));
            }
            at[size++] = (char) position;
            return this;
        }

        private Dense toDense() {
            Dense dense = new Dense();
            for (int i = 0; i < size; i++) {
                dense.add(at[i]);
            }
            return dense;
        }

        @Override
        ChunkPage seal() {
            Arrays.sort(at, 0, size);
            int unique = 0;
            for (int i = 0; i < size; i++) {
                if (unique == 0 || at[unique - 1] != at[i]) {
                    at[unique++] = at[i];
                }
            }
            size = unique;
            at = Arrays.copyOf(at, size);
            return this;
        }

        @Override
        int nextSet(int from) {
            int i = index(from);
            return i < size ? at[i] : -1;
        }

        @Override
        int nextClear(int from) {
            int i = index(from);
            int expect = from;
            while (i < size && at[i] == expect) {
                i++;
                expect++;
            }
            return expect;
        }

        /** Where {@code position} is, or would be. */
        private int index(int position) {
            int i = Arrays.binarySearch(at, 0, size, (char) position);
            return i >= 0 ? i : -i - 1;
        }

        @Override
        int count() {
            return size;
        }

        @Override
        int runStarts(boolean previousSet) {
            int runs = 0;
            for (int i = 0; i < size; i++) {
                boolean goesOn = i == 0 ? previousSet && at[0] == 0 : at[i] == at[i - 1] + 1;
                if (!goesOn) {
                    runs++;
                }
            }
            return runs;
        }

        @Override
        int lastPosition() {
            return at[size - 1];
        }

        @Override
        int runStartOf(int position) {
            int i = index(position);
            while (i > 0 && at[i - 1] == at[i] - 1) {
                i--;
            }
            return at[i];
        }

        @Override
        long retainedBytes() {
            return 16 + 8 + 16 + 2L * at.length;
        }
    }

    static final class Dense extends ChunkPage {
        private final long[] words = new long[UNITS / 64];
        private int count;

        @Override
        ChunkPage add(int position) {
            long bit = 1L << position;
            int w = position >>> 6;
            if ((words[w] & bit) == 0) {
                words[w] |= bit;
                count++;
            }
            return this;
        }

        @Override
        ChunkPage seal() {
            return this;
        }

        @Override
        int nextSet(int from) {
            int w = from >>> 6;
            long word = words[w] & (-1L << from);
            while (word == 0) {
                if (++w == words.length) {
                    return -1;
                }
                word = words[w];
            }
            return (w << 6) + Long.numberOfTrailingZeros(word);
        }

        @Override
        int nextClear(int from) {
            if (from >= UNITS) {
                return UNITS;
            }
            int w = from >>> 6;
            long word = ~words[w] & (-1L << from);
            while (word == 0) {
                if (++w == words.length) {
                    return UNITS;
                }
                word = ~words[w];
            }
            return (w << 6) + Long.numberOfTrailingZeros(word);
        }

        @Override
        int count() {
            return count;
        }

        /** A run starts at each set bit whose lower neighbour is clear: popcount of w & ~(w << 1 | carry). */
        @Override
        int runStarts(boolean previousSet) {
            int runs = 0;
            long carry = previousSet ? 1 : 0;
            for (long w : words) {
                runs += Long.bitCount(w & ~(w << 1 | carry));
                carry = w >>> 63;
            }
            return runs;
        }

        @Override
        int lastPosition() {
            int w = words.length - 1;
            while (words[w] == 0) {
                w--;
            }
            return (w << 6) + 63 - Long.numberOfLeadingZeros(words[w]);
        }

        @Override
        int runStartOf(int position) {
            int w = position >>> 6;
            int bit = position & 63;
            long clearBelow = ~words[w] & (bit == 0 ? 0 : -1L >>> (64 - bit));
            while (clearBelow == 0) {
                if (--w < 0) {
                    return 0;
                }
                clearBelow = ~words[w];
            }
            return (w << 6) + 64 - Long.numberOfLeadingZeros(clearBelow);
        }

        @Override
        long retainedBytes() {
            return 16 + 8 + 16 + 8L * words.length;
        }
    }

    /** Every unit set: immutable, one instance for every such page. */
    static final class Full extends ChunkPage {
        static final Full PAGE = new Full();

        private Full() {
        }

        @Override
        ChunkPage add(int position) {
            return this;
        }

        @Override
        ChunkPage seal() {
            return this;
        }

        @Override
        int nextSet(int from) {
            return from < UNITS ? from : -1;
        }

        @Override
        int nextClear(int from) {
            return UNITS;
        }

        @Override
        int count() {
            return UNITS;
        }

        @Override
        int runStarts(boolean previousSet) {
            return previousSet ? 0 : 1;
        }

        @Override
        int lastPosition() {
            return UNITS - 1;
        }

        @Override
        int runStartOf(int position) {
            return 0;
        }

        @Override
        long retainedBytes() {
            return 0; // shared
        }
    }
}
