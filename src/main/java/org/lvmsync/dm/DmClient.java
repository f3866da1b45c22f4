package org.lvmsync.dm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.bindings.devmapper.libdevmapper_h;
import org.lvmsync.bindings.dmioctl.dm_ioctl;
import org.lvmsync.bindings.dmioctl.dm_ioctl_h;
import org.lvmsync.os.Fd;

/**
 * Asks the kernel's device-mapper about devices: what exists, info, tables, status,
 * dependencies, and sends target messages. Read-only apart from message(); it never
 * creates, loads or removes devices. Every request is an ioctl on /dev/mapper/control
 * with a buffer of our own ({@link DmIoctl}), so that nothing is read outside memory
 * whose size is known, no process-wide library state is involved, and a run does not
 * load libdevmapper at all: loading it and linking its calls was part of every
 * sync's start (in the qemu guest, with the JVM emulated, its classes and stubs alone
 * were loaded over some 0.7 s). libdevmapper is asked for its own version
 * only ({@link #libraryVersion()}, loaded then).
 * <p>
 * One owner. close() lets libdevmapper release its control descriptor if it was loaded.
 */
public final class DmClient implements AutoCloseable {
    public static final Path CONTROL = Path.of("/dev/mapper/control");
    static final String LIBRARY = "libdevmapper.so.1.02.1";

    private boolean closed;
    private boolean libraryLoaded;

    private DmClient() {
    }

    /** Fails with one actionable line when the kernel driver is missing or out of reach. */
    public static DmClient open() {
        requireControl();
        return new DmClient();
    }

    static void requireLibrary() {
        try (Arena probe = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(LIBRARY, probe);
        } catch (IllegalArgumentException e) {
            throw new LvmsyncException(FailureClass.ENVIRONMENT, "device-mapper library " + LIBRARY
                    + " not found: install libdevmapper1.02.1 (Debian/Ubuntu) or device-mapper-libs (Fedora/RHEL)");
        }
    }

    static void requireControl() {
        if (!Files.exists(CONTROL)) {
            throw new LvmsyncException(FailureClass.ENVIRONMENT,
                    "device-mapper is not available: " + CONTROL + " missing (load dm_mod)");
        }
        // checked here so a normal user reads one line instead of libdevmapper's complaints
        if (!Files.isReadable(CONTROL) || !Files.isWritable(CONTROL)) {
            throw new LvmsyncException(FailureClass.ENVIRONMENT, "no access to " + CONTROL
                    + ": reading snapshots needs root (run lvmsync as root, e.g. with sudo)");
        }
    }

    /** The kernel interface version, by a raw DM_VERSION ioctl on /dev/mapper/control. */
    public DmVersion version() throws IOException {
        requireOpen();
        try (Arena arena = Arena.ofConfined(); Fd control = Fd.open(CONTROL, Fd.O_RDWR)) {
            MemorySegment io = DmIoctl.header(arena, DmIoctl.HEADER_BYTES, "", 0);   // asks for 4.0.0 or later
            control.ioctl("DM_VERSION", DmIoctls.DM_VERSION, io);
            MemorySegment version = dm_ioctl.version(io);
            return new DmVersion(version.getAtIndex(ValueLayout.JAVA_INT, 0),
                    version.getAtIndex(ValueLayout.JAVA_INT, 1), version.getAtIndex(ValueLayout.JAVA_INT, 2));
        }
    }

    /** libdevmapper's own version, e.g. "1.02.185 (2022-05-18)". */
    public String libraryVersion() throws DmException {
        requireOpen();
        requireLibrary();
        libraryLoaded = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            if (libdevmapper_h.dm_get_library_version(buf, buf.byteSize()) == 0) {
                throw new DmException("libdevmapper did not report its version");
            }
            return buf.getString(0);
        }
    }

    /** Every device-mapper device, in the kernel's order. */
    public List<DmDevice> list() throws IOException {
        return list(DmIoctl.FIRST_BYTES);
    }

    /** list() starting from an argument buffer of {@code firstBytes} (tests: one too small at first). */
    List<DmDevice> list(int firstBytes) throws IOException {
        requireOpen();
        try (Arena arena = Arena.ofConfined()) {
            return DmReplies.names(DmIoctl.query(arena, DmIoctls.DM_LIST_DEVICES, "list devices", "", 0,
                    firstBytes).data());
        }
    }

    public DmInfo info(String name) throws IOException {
        requireOpen();
        if (name.isEmpty()) {
            throw new DmException("device-mapper info: no device name given");
        }
        return info(name, new DevNo(0, 0));
    }

    public DmInfo info(DevNo dev) throws IOException {
        requireOpen();
        return info("", dev);
    }

    private static DmInfo info(String name, DevNo dev) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Optional<MemorySegment> header = DmIoctl.deviceStatus(arena, name, dev);
            if (header.isEmpty()) {
                return DmInfo.missing();
            }
            MemorySegment h = header.get();
            int flags = dm_ioctl.flags(h);
            return new DmInfo(true, DmReplies.headerString(dm_ioctl.name(h), "name"), DmReplies.headerString(dm_ioctl.uuid(h), "uuid"),
                    DevNo.decode(dm_ioctl.dev(h)), dm_ioctl.open_count(h),
                    (flags & dm_ioctl_h.DM_SUSPEND_FLAG()) != 0, (flags & dm_ioctl_h.DM_READONLY_FLAG()) != 0,
                    dm_ioctl.target_count(h), dm_ioctl.event_nr(h),
                    (flags & dm_ioctl_h.DM_ACTIVE_PRESENT_FLAG()) != 0,
                    (flags & dm_ioctl_h.DM_INACTIVE_PRESENT_FLAG()) != 0);
        }
    }

    /** The name of the device-mapper device with this number, if it is one. */
    public Optional<String> nameOf(int major, int minor) throws IOException {
        DmInfo info = info(new DevNo(major, minor));
        return info.exists() ? Optional.of(info.name()) : Optional.empty();
    }

    /** The live table, one Target per line (params as loaded, device numbers as maj:min). */
    public List<Target> table(String name) throws IOException {
        return targets(name, dm_ioctl_h.DM_STATUS_TABLE_FLAG(), "table");
    }

    /** The targets' status lines. */
    public List<Target> status(String name) throws IOException {
        return targets(name, 0, "status");
    }

    private List<Target> targets(String name, int flags, String operation) throws IOException {
        requireExists(name);
        try (Arena arena = Arena.ofConfined()) {
            DmIoctl.Reply reply = DmIoctl.query(arena, DmIoctls.DM_TABLE_STATUS, operation, name, flags,
                    DmIoctl.FIRST_BYTES);
            return DmReplies.targets(reply.data(), reply.targetCount());
        }
    }

    /** The devices this one's table uses, as major:minor. */
    public List<DevNo> deps(String name) throws IOException {
        requireExists(name);
        try (Arena arena = Arena.ofConfined()) {
            return DmReplies.deps(DmIoctl.query(arena, DmIoctls.DM_TABLE_DEPS, "deps", name, 0,
                    DmIoctl.FIRST_BYTES).data());
        }
    }

    /**
     * Sends a target message (e.g. {@code reserve_metadata_snap} to a thin pool at sector 0)
     * and returns the target's response, "" when it gave none.
     */
    public String message(String name, long sector, String text) throws IOException {
        requireExists(name);
        try (Arena arena = Arena.ofConfined()) {
            DmIoctl.Reply reply = DmIoctl.message(arena, name, sector, text);
            return reply.hasFlag(dm_ioctl_h.DM_DATA_OUT_FLAG()) ? DmReplies.response(reply.data()) : "";
        }
    }

    public boolean exists(String name) throws IOException {
        return info(name).exists();
    }

    /**
     * Checked first so that a wrong name gives one clear line here rather than an ENXIO
     * from the kernel plus libdevmapper's own complaint on stderr.
     */
    private void requireExists(String name) throws IOException {
        if (!exists(name)) {
            throw new DmException("no device-mapper device named " + name + " (see dmsetup ls)");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("DmClient is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (libraryLoaded) {
                libdevmapper_h.dm_lib_release();
            }
        }
    }
}
