package org.lvmsync.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * NUL-terminated strings in native memory, read without reaching past a known end. A C
 * string carries no length, so every read here names the most it may cover: the segment
 * it lies in (a field, the data a kernel wrote) or, for a pointer a library returned, the
 * capacity of the object it points into. A string that does not end within that bound is
 * reported as absent rather than followed further.
 */
public final class CString {
    private CString() {
    }

    /** The text before the first NUL of {@code bounded}; empty when it holds no NUL. */
    public static Optional<String> read(MemorySegment bounded) {
        long length = length(bounded);
        if (length < 0) {
            return Optional.empty();
        }
        byte[] bytes = bounded.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
        return Optional.of(new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * The string at a pointer a library returned, known to end within {@code capacity}
     * bytes (a fixed-size field of that size; a message known to be shorter): no byte
     * past that is read. Empty for NULL, or when no NUL comes within {@code capacity}.
     */
    public static Optional<String> at(MemorySegment pointer, long capacity) {
        if (pointer.equals(MemorySegment.NULL)) {
            return Optional.empty();
        }
        return read(pointer.reinterpret(capacity));
    }

    /** Index of the first NUL in {@code bounded}, -1 if there is none. */
    public static long length(MemorySegment bounded) {
        for (long i = 0; i < bounded.byteSize(); i++) {
            if (bounded.get(ValueLayout.JAVA_BYTE, i) == 0) {
                return i;
            }
        }
        return -1;
    }
}
