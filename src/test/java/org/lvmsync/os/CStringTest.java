package org.lvmsync.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CStringTest {
    @Test
    void readsUpToTheFirstNulAndNeverPastTheBound() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom("vg-lv\0rest", StandardCharsets.UTF_8);
            assertEquals(Optional.of("vg-lv"), CString.read(s));
            assertEquals(5, CString.length(s));
            assertEquals(Optional.of(""), CString.read(s.asSlice(5)));
            // no NUL within the bound: absent, though one follows right after it
            assertEquals(Optional.empty(), CString.read(s.asSlice(0, 5)));
            assertEquals(-1, CString.length(s.asSlice(0, 5)));
            assertEquals(Optional.empty(), CString.read(MemorySegment.NULL));
        }
    }

    @Test
    void aPointerIsReadWithinTheCapacityItIsKnownToHave() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment field = arena.allocate(16);
            field.setString(0, "snapshot", StandardCharsets.UTF_8);
            MemorySegment pointer = MemorySegment.ofAddress(field.address());   // as a library returns it
            assertEquals(Optional.of("snapshot"), CString.at(pointer, 16));
            assertEquals(Optional.empty(), CString.at(pointer, 8));
            assertEquals(Optional.empty(), CString.at(MemorySegment.NULL, 16));
        }
    }

    @Test
    void errnoTextsComeFromBoundedReads() {
        assertEquals("No such file or directory (ENOENT)", Native.describe(2));
        assertEquals("Unknown error 4242 (errno 4242)", Native.describe(4242));
    }
}
