package org.lvmsync.dm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lvmsync.bindings.dmioctl.dm_ioctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DM ioctl answers laid out in memory as the kernel writes them (SPEC 6), and broken
 * ones: an offset or count that reaches past the answer, a string without its end. Each
 * broken one must be a DmFormatException, not a read outside the segment (which the
 * segment's own bounds would turn into an IndexOutOfBoundsException).
 */
class DmRepliesTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    /** A name list as kernels since 5.15 write it: event_nr and flags after each name. */
    private MemorySegment names(String... names) {
        MemorySegment data = arena.allocate(4096, 8);
        long at = 0;
        for (int i = 0; i < names.length; i++) {
            byte[] name = names[i].getBytes(StandardCharsets.UTF_8);
            data.set(ValueLayout.JAVA_LONG, at, new DevNo(253, i).encode());
            MemorySegment.copy(name, 0, data, ValueLayout.JAVA_BYTE, at + 12, name.length);
            long next = align(align(12 + name.length + 1) + 8);
            data.set(ValueLayout.JAVA_INT, at + align(12 + name.length + 1), 7);   // event_nr
            if (i < names.length - 1) {
                data.set(ValueLayout.JAVA_INT, at + 8, (int) next);
            }
            at += next;
        }
        return data.asSlice(0, at);
    }

    private static long align(long n) {
        return (n + 7) & -8;
    }

    @Test
    void nameListInTheKernelsOrder() throws Exception {
        assertEquals(List.of(new DmDevice("vg-lv", new DevNo(253, 0)), new DmDevice("vg-lv-real", new DevNo(253, 1)),
                        new DmDevice("vg-lv--snap-cow", new DevNo(253, 2))),
                DmReplies.names(names("vg-lv", "vg-lv-real", "vg-lv--snap-cow")));
        assertEquals(List.of(), DmReplies.names(arena.allocate(0)));
        assertEquals(List.of(), DmReplies.names(arena.allocate(16)));   // dev 0: "no devices"
    }

    @Test
    void aNameListThatPointsOutsideTheAnswerIsMalformed() {
        MemorySegment three = names("a", "bb", "ccc");
        // the second record's next points past the end
        three.set(ValueLayout.JAVA_INT, 24 + 8, 4096);
        DmFormatException e = assertThrows(DmFormatException.class, () -> DmReplies.names(three));
        assertEquals("device-mapper device list reply is malformed: record at byte 24 points to the next at +4096"
                + " (reply of " + three.byteSize() + " bytes)", e.getMessage());
        // a next that does not move past the record's own header could loop or overlap
        MemorySegment back = names("a", "bb");
        back.set(ValueLayout.JAVA_INT, 8, 8);
        assertThrows(DmFormatException.class, () -> DmReplies.names(back));
        // the answer ends inside a record's header
        MemorySegment cut = names("a", "bb").asSlice(0, 24 + 10);
        assertThrows(DmFormatException.class, () -> DmReplies.names(cut));
    }

    @Test
    void aNameMustEndInsideItsRecord() {
        MemorySegment two = names("abc", "def");
        two.asSlice(12, 12).fill((byte) 'x');   // the first name and its padding, no NUL up to the next record
        assertThrows(DmFormatException.class, () -> DmReplies.names(two));
        MemorySegment last = names("abc", "def");
        last.asSlice(24 + 12).fill((byte) 'y');   // the last name runs to the end of the answer
        DmFormatException e = assertThrows(DmFormatException.class, () -> DmReplies.names(last));
        assertTrue(e.getMessage().contains("name at byte 24 does not end within its 12 bytes"), e.getMessage());
    }

    @Test
    void depsAreCountedDeviceNumbers() throws Exception {
        MemorySegment data = arena.allocate(8 + 2 * 8, 8);
        data.set(ValueLayout.JAVA_INT, 0, 2);
        data.set(ValueLayout.JAVA_LONG, 8, new DevNo(7, 1).encode());
        data.set(ValueLayout.JAVA_LONG, 16, new DevNo(259, 300).encode());
        assertEquals(List.of(new DevNo(7, 1), new DevNo(259, 300)), DmReplies.deps(data));
        data.set(ValueLayout.JAVA_INT, 0, 3);
        assertThrows(DmFormatException.class, () -> DmReplies.deps(data));
        data.set(ValueLayout.JAVA_INT, 0, -1);   // 4294967295 devices
        assertThrows(DmFormatException.class, () -> DmReplies.deps(data));
        assertThrows(DmFormatException.class, () -> DmReplies.deps(arena.allocate(4)));
    }

    /** Target specs of 40 bytes, each followed by its text, next = offset from the first spec. */
    private MemorySegment targets(String[][] lines) {
        MemorySegment data = arena.allocate(4096, 8);
        long at = 0;
        for (int i = 0; i < lines.length; i++) {
            byte[] type = lines[i][0].getBytes(StandardCharsets.US_ASCII);
            byte[] text = lines[i][1].getBytes(StandardCharsets.US_ASCII);
            long next = align(at + 40 + text.length + 1);
            data.set(ValueLayout.JAVA_LONG, at, i * 1000L);
            data.set(ValueLayout.JAVA_LONG, at + 8, 1000);
            data.set(ValueLayout.JAVA_INT, at + 20, (int) next);
            MemorySegment.copy(type, 0, data, ValueLayout.JAVA_BYTE, at + 24, type.length);
            MemorySegment.copy(text, 0, data, ValueLayout.JAVA_BYTE, at + 40, text.length);
            at = next;
        }
        return data.asSlice(0, at);
    }

    @Test
    void tableLinesWithTheirParameters() throws Exception {
        MemorySegment data = targets(new String[][] {{"linear", "7:0 0"}, {"snapshot", "7:0 7:1 P 8"},
                {"sixteen-chars-xx", ""}});
        assertEquals(List.of(new Target(0, 1000, "linear", "7:0 0"), new Target(1000, 1000, "snapshot", "7:0 7:1 P 8"),
                new Target(2000, 1000, "sixteen-chars-xx", "")), DmReplies.targets(data, 3));
        assertEquals(List.of(), DmReplies.targets(arena.allocate(0), 0));
    }

    @Test
    void aTableThatPointsOutsideTheAnswerIsMalformed() {
        MemorySegment data = targets(new String[][] {{"linear", "7:0 0"}, {"linear", "7:0 8"}});
        // more targets than the answer holds
        assertThrows(DmFormatException.class, () -> DmReplies.targets(data, 3));
        // the first spec's next past the end, then into its own header
        data.set(ValueLayout.JAVA_INT, 20, 1 << 20);
        assertThrows(DmFormatException.class, () -> DmReplies.targets(data, 2));
        data.set(ValueLayout.JAVA_INT, 20, 16);
        assertThrows(DmFormatException.class, () -> DmReplies.targets(data, 2));
        // parameters that do not end before the next spec
        MemorySegment run = targets(new String[][] {{"linear", "7:0 0"}, {"linear", "7:0 8"}});
        run.asSlice(40, 8).fill((byte) '9');
        DmFormatException e = assertThrows(DmFormatException.class, () -> DmReplies.targets(run, 2));
        assertTrue(e.getMessage().contains("parameters of target 0 does not end within its 8 bytes"), e.getMessage());
    }

    @Test
    void aMessageResponseIsOneString() throws Exception {
        assertEquals("", DmReplies.response(arena.allocate(0)));
        assertEquals("ok 3", DmReplies.response(arena.allocateFrom("ok 3")));
        assertThrows(DmFormatException.class, () -> DmReplies.response(arena.allocate(4).fill((byte) 'z')));
    }

    @Test
    void theHeaderSaysTheWholeBufferAndTheAnswerMustLieInIt() throws Exception {
        MemorySegment buffer = DmIoctl.header(arena, 1024, "vg-lv", 16);
        assertEquals(1024, dm_ioctl.data_size(buffer));
        assertEquals(312, dm_ioctl.data_start(buffer));
        assertEquals(16, dm_ioctl.flags(buffer));
        assertEquals(4, dm_ioctl.version(buffer).getAtIndex(ValueLayout.JAVA_INT, 0));
        assertEquals("vg-lv", dm_ioctl.name(buffer).getString(0));
        // as the kernel answers: data_size moved to the end of what it wrote
        dm_ioctl.data_size(buffer, 312 + 40);
        assertEquals(40, DmIoctl.reply(buffer).data().byteSize());
        assertEquals(buffer.address() + 312, DmIoctl.reply(buffer).data().address());
        // no answer (a message without a response, a full buffer): data_size is left at
        // the offset of the header's data field, 305, before data_start
        dm_ioctl.data_size(buffer, (int) dm_ioctl.data$offset());
        assertEquals(0, DmIoctl.reply(buffer).data().byteSize());
        dm_ioctl.data_size(buffer, 1025);
        assertThrows(DmFormatException.class, () -> DmIoctl.reply(buffer));
        dm_ioctl.data_size(buffer, 400);
        dm_ioctl.data_start(buffer, 100);   // inside the header
        assertThrows(DmFormatException.class, () -> DmIoctl.reply(buffer));
        dm_ioctl.data_start(buffer, 1025);
        assertThrows(DmFormatException.class, () -> DmIoctl.reply(buffer));
    }

    @Test
    void aNameTheHeaderCannotHoldIsRefused() {
        assertThrows(DmException.class, () -> DmIoctl.header(arena, 1024, "x".repeat(128), 0));
        assertThrows(DmException.class, () -> DmIoctl.header(arena, 1024, "a\0b", 0));
    }
}
