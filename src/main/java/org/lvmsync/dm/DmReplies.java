package org.lvmsync.dm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.lvmsync.bindings.dmioctl.dm_name_list;
import org.lvmsync.bindings.dmioctl.dm_target_deps;
import org.lvmsync.bindings.dmioctl.dm_target_spec;
import org.lvmsync.os.CString;

/**
 * Reads what the kernel wrote into a DM ioctl's data area (SPEC 6): the device list, the
 * deps, the table or status lines, a message's response. {@code data} is exactly the
 * answer's range, [data_start, data_size) of the header; every offset and count read from
 * it is checked against its size before it is followed, and a string must end inside the
 * record it belongs to. A reply that breaks those rules is a DmFormatException naming
 * what and where, never a read elsewhere.
 */
final class DmReplies {
    private static final long NAME_AT = dm_name_list.name$offset();
    private static final long SPEC_BYTES = dm_target_spec.sizeof();
    private static final long DEVS_AT = dm_target_deps.dev$offset();

    private DmReplies() {
    }

    /**
     * DM_LIST_DEVICES: records of {dev u64, next u32, name, ...} (newer kernels put event
     * numbers and uuids after the name), {@code next} the offset of the following record
     * from this one, 0 on the last. No devices: an empty answer (or dev 0).
     */
    static List<DmDevice> names(MemorySegment data) throws DmFormatException {
        List<DmDevice> devices = new ArrayList<>();
        if (data.byteSize() == 0 || (data.byteSize() >= Long.BYTES && dm_name_list.dev(data) == 0)) {
            return devices;
        }
        long at = 0;
        while (true) {
            if (at + NAME_AT >= data.byteSize()) {
                throw broken("device list", "record at byte " + at + " does not fit", data);
            }
            MemorySegment record = data.asSlice(at);
            long next = Integer.toUnsignedLong(dm_name_list.next(record));
            if (next != 0 && (next <= NAME_AT || next >= record.byteSize())) {
                throw broken("device list", "record at byte " + at + " points to the next at +" + next, data);
            }
            long end = next == 0 ? record.byteSize() : next;
            String name = string(record.asSlice(NAME_AT, end - NAME_AT), "device list", "name at byte " + at, data);
            devices.add(new DmDevice(name, DevNo.decode(dm_name_list.dev(record))));
            if (next == 0) {
                return devices;
            }
            at += next;
        }
    }

    /** DM_TABLE_DEPS: {count u32, padding u32, dev u64[count]}. */
    static List<DevNo> deps(MemorySegment data) throws DmFormatException {
        if (data.byteSize() < DEVS_AT) {
            throw broken("deps", "no count", data);
        }
        long count = Integer.toUnsignedLong(dm_target_deps.count(data));
        if (count > (data.byteSize() - DEVS_AT) / Long.BYTES) {
            throw broken("deps", count + " devices do not fit", data);
        }
        List<DevNo> devices = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            devices.add(DevNo.decode(data.get(ValueLayout.JAVA_LONG, DEVS_AT + i * Long.BYTES)));
        }
        return devices;
    }

    /**
     * DM_TABLE_STATUS: {@code count} target specs {sector_start, length, status, next,
     * target_type[16]}, each followed by its NUL-terminated parameters or status text;
     * {@code next} is the offset of the following spec from the first one.
     */
    static List<Target> targets(MemorySegment data, int count) throws DmFormatException {
        List<Target> targets = new ArrayList<>();
        long at = 0;
        for (int i = 0; i < count; i++) {
            if (at < 0 || at + SPEC_BYTES > data.byteSize()) {
                throw broken("table", "target " + i + " at byte " + at + " does not fit", data);
            }
            MemorySegment spec = data.asSlice(at, SPEC_BYTES);
            long next = Integer.toUnsignedLong(dm_target_spec.next(spec));
            long end = i == count - 1 ? data.byteSize() : next;
            if (end <= at + SPEC_BYTES || end > data.byteSize()) {
                throw broken("table", "target " + i + " at byte " + at + " points to the next at " + next, data);
            }
            // the kernel cuts a type name to the field: one of exactly 16 bytes has no NUL
            MemorySegment typeField = dm_target_spec.target_type(spec);
            String type = CString.read(typeField)
                    .orElseGet(() -> new String(typeField.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            String params = string(data.asSlice(at + SPEC_BYTES, end - at - SPEC_BYTES), "table",
                    "parameters of target " + i, data);
            targets.add(new Target(dm_target_spec.sector_start(spec), dm_target_spec.length(spec), type, params));
            at = next;
        }
        return targets;
    }

    /** A target message's response: one string at the start of the answer ("" for none). */
    static String response(MemorySegment data) throws DmFormatException {
        return data.byteSize() == 0 ? "" : string(data, "message response", "text", data);
    }

    /** A string field of the ioctl header itself (name, uuid), bounded by the field. */
    static String headerString(MemorySegment field, String what) throws DmFormatException {
        return CString.read(field).orElseThrow(() -> new DmFormatException("device-mapper info reply is malformed: its "
                + what + " does not end within its " + field.byteSize() + " bytes"));
    }

    private static String string(MemorySegment field, String what, String where, MemorySegment data)
            throws DmFormatException {
        return CString.read(field).orElseThrow(() -> broken(what, where + " does not end within its "
                + field.byteSize() + " bytes", data));
    }

    private static DmFormatException broken(String what, String problem, MemorySegment data) {
        return new DmFormatException("device-mapper " + what + " reply is malformed: " + problem
                + " (reply of " + data.byteSize() + " bytes)");
    }
}
