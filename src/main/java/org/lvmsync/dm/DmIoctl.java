package org.lvmsync.dm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.lvmsync.bindings.dmioctl.dm_ioctl;
import org.lvmsync.bindings.dmioctl.dm_ioctl_h;
import org.lvmsync.bindings.dmioctl.dm_target_msg;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;

/**
 * One device-mapper ioctl on /dev/mapper/control with an argument buffer allocated here
 * (SPEC 6): the device list, deps, table, status, target messages and each device's
 * info. libdevmapper returns those as pointers into a
 * buffer whose size it does not tell, and its name list is walked by offsets read from
 * that memory; here the buffer's size is known and {@link DmReplies} checks every offset
 * the kernel wrote against it before following one.
 * <p>
 * The header's data_size is the buffer's whole size: the kernel copies in that much and
 * writes back at most that much (its own answer's end, data_size again). An answer that
 * does not fit comes back with DM_BUFFER_FULL_FLAG and is asked again with twice the room,
 * as libdevmapper does, up to {@link #MAX_BYTES}; a message is never sent twice.
 */
final class DmIoctl {
    static final int HEADER_BYTES = (int) dm_ioctl.sizeof();
    /** libdevmapper's first size as well: a few hundred names, a long table. */
    static final int FIRST_BYTES = 16 << 10;
    /** No device-mapper answer is this big; stop doubling there instead of exhausting memory. */
    static final int MAX_BYTES = 64 << 20;

    private static final int BUFFER_FULL = dm_ioctl_h.DM_BUFFER_FULL_FLAG();

    /** What came back: the header's flags and target count, and the answer [data_start, data_size). */
    record Reply(int flags, int targetCount, MemorySegment data) {
        boolean hasFlag(int flag) {
            return (flags & flag) != 0;
        }
    }

    private DmIoctl() {
    }

    /**
     * A request that only reads (list, deps, table, status) about {@code device}, asked
     * again with a larger buffer while the answer does not fit, from {@code firstBytes} on.
     * The reply lives in {@code arena}. For DM_LIST_DEVICES {@code device} is "": the
     * kernel takes a name there as a prefix the listed names must have.
     */
    static Reply query(Arena arena, long request, String operation, String device, int flags, int firstBytes)
            throws IOException {
        for (long size = Math.max(firstBytes, HEADER_BYTES); ; size *= 2) {
            MemorySegment buffer = header(arena, size, device, flags);
            Reply reply = call(buffer, request, operation, device);
            if (!reply.hasFlag(BUFFER_FULL)) {
                return reply;
            }
            if (size * 2 > MAX_BYTES) {
                throw new DmException("device-mapper " + operation + about(device) + ": the answer does not fit in "
                        + MAX_BYTES + " bytes");
            }
        }
    }

    /**
     * DM_TARGET_MSG: {@code text} to the target of {@code device} at {@code sector}, sent
     * once. The response, if the target gives one, is the reply's data.
     */
    static Reply message(Arena arena, String device, long sector, String text) throws IOException {
        String operation = "message '" + text + "' to";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long input = dm_target_msg.sizeof() + bytes.length + 1;
        if (HEADER_BYTES + input > FIRST_BYTES) {
            throw new DmException("device-mapper " + operation + " " + device + ": message longer than "
                    + (FIRST_BYTES - HEADER_BYTES - dm_target_msg.sizeof() - 1) + " bytes");
        }
        MemorySegment buffer = header(arena, FIRST_BYTES, device, 0);
        MemorySegment msg = buffer.asSlice(HEADER_BYTES, input);
        dm_target_msg.sector(msg, sector);
        MemorySegment.copy(bytes, 0, msg, ValueLayout.JAVA_BYTE, dm_target_msg.message$offset(), bytes.length);
        Reply reply = call(buffer, DmIoctls.DM_TARGET_MSG, operation, device);
        if (reply.hasFlag(BUFFER_FULL)) {
            throw new DmException("device-mapper " + operation + " " + device + ": the response does not fit in "
                    + FIRST_BYTES + " bytes (the message was delivered)");
        }
        return reply;
    }

    /**
     * DM_DEV_STATUS about the device named {@code device}, or when that is "" about the
     * device numbered {@code dev}: the answer is the header itself. Empty when there is no
     * such device-mapper device (the kernel's ENXIO).
     */
    static Optional<MemorySegment> deviceStatus(Arena arena, String device, DevNo dev) throws IOException {
        MemorySegment buffer = header(arena, HEADER_BYTES, device, 0);
        if (device.isEmpty()) {
            dm_ioctl.dev(buffer, dev.encode());
        }
        try {
            call(buffer, DmIoctls.DM_DEV_STATUS, "info", device.isEmpty() ? dev.toString() : device);
        } catch (ErrnoException e) {
            // the ioctl's ENXIO (no such device), not a failure to open the control node
            if (e.errno() == errno_h.ENXIO() && "device-mapper info".equals(e.operation())) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(buffer);
    }

    /** A zeroed buffer of {@code size} bytes with the header filled in: version 4.0.0, name, flags. */
    static MemorySegment header(Arena arena, long size, String device, int flags) throws DmException {
        byte[] name = device.getBytes(StandardCharsets.UTF_8);
        if (name.length >= dm_ioctl_h.DM_NAME_LEN() || device.indexOf('\0') >= 0) {
            throw new DmException("device-mapper name '" + device + "' is longer than "
                    + (dm_ioctl_h.DM_NAME_LEN() - 1) + " bytes or holds a NUL");
        }
        MemorySegment buffer = arena.allocate(size, 8);
        dm_ioctl.version(buffer).setAtIndex(ValueLayout.JAVA_INT, 0, dm_ioctl_h.DM_VERSION_MAJOR());
        dm_ioctl.data_size(buffer, Math.toIntExact(size));
        dm_ioctl.data_start(buffer, HEADER_BYTES);
        dm_ioctl.flags(buffer, flags);
        MemorySegment.copy(name, 0, dm_ioctl.name(buffer), ValueLayout.JAVA_BYTE, 0, name.length);
        return buffer;
    }

    private static Reply call(MemorySegment buffer, long request, String operation, String device)
            throws IOException {
        try (Fd control = Fd.open(DmClient.CONTROL, Fd.O_RDWR)) {
            try {
                control.ioctl("device-mapper " + operation, request, buffer);
            } catch (ErrnoException e) {
                // said about the device asked after, as libdevmapper's errno was
                throw new ErrnoException("device-mapper " + operation, device.isEmpty() ? null : device, e.errno());
            }
        }
        return reply(buffer);
    }

    private static String about(String device) {
        return device.isEmpty() ? "" : " " + device;
    }

    /**
     * The header's answer, its data range checked against the buffer the kernel wrote into.
     * A reply without data (no response, or a full buffer) ends before it starts: the
     * kernel leaves data_size at the offset of the header's data field then.
     */
    static Reply reply(MemorySegment buffer) throws DmFormatException {
        long start = Integer.toUnsignedLong(dm_ioctl.data_start(buffer));
        long end = Integer.toUnsignedLong(dm_ioctl.data_size(buffer));
        if (start < HEADER_BYTES || start > buffer.byteSize() || end > buffer.byteSize()) {
            throw new DmFormatException("device-mapper answered with data at [" + start + ", " + end
                    + ") outside its " + buffer.byteSize() + "-byte buffer");
        }
        return new Reply(dm_ioctl.flags(buffer), dm_ioctl.target_count(buffer),
                buffer.asSlice(start, Math.max(0, end - start)));
    }
}
