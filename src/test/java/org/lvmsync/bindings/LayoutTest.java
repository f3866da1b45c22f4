package org.lvmsync.bindings;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.bindings.libc.fcntl_h;
import org.lvmsync.bindings.libc.ioctl_h;
import org.lvmsync.bindings.libc.mman_h;
import org.lvmsync.bindings.libc.stat;
import org.lvmsync.bindings.libc.stat_h;
import org.lvmsync.bindings.libc.string_h;
import org.lvmsync.bindings.libc.timespec;
import org.lvmsync.bindings.libc.unistd_h;
import org.lvmsync.bindings.linux.fs_h;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** The hand-written bindings agree with gcc and the system headers, value for value. */
class LayoutTest {
    private static final Path WORK = Path.of("target", "layout-test");

    private static final List<Class<?>> LIBC = List.of(fcntl_h.class, unistd_h.class, ioctl_h.class,
            mman_h.class, stat_h.class, string_h.class, errno_h.class);

    @Test
    void libcAndLinuxFsMatchTheHeaders() throws Exception {
        CLayoutChecker check = new CLayoutChecker()
                .include("fcntl.h").include("unistd.h").include("errno.h").include("string.h")
                .include("sys/ioctl.h").include("sys/mman.h").include("sys/stat.h").include("linux/fs.h");
        for (Class<?> header : LIBC) {
            check.constantsOf(header);
        }
        check.constantsOf(fs_h.class)
                .struct("stat", stat.class)
                .struct("timespec", timespec.class)
                .expression("sizeof(off_t)", 8)
                .expression("sizeof(size_t)", 8)
                .expression("sizeof(dev_t)", 8)
                .verify(WORK.resolve("libc"));
    }

    @Test
    void everyLibcSymbolResolves() throws Exception {
        for (Class<?> header : LIBC) {
            resolveAll(header);
        }
    }

    /** Calls every {@code fn$address()} and every variadic invoker's {@code address()}. */
    static void resolveAll(Class<?> header) throws ReflectiveOperationException {
        for (Method m : header.getDeclaredMethods()) {
            if (m.getName().endsWith("$address") && m.getParameterCount() == 0) {
                assertFalse(((MemorySegment) m.invoke(null)).equals(MemorySegment.NULL), m.getName());
            }
        }
        for (Class<?> nested : header.getDeclaredClasses()) {
            if (Modifier.isPublic(nested.getModifiers())) {
                MemorySegment address = (MemorySegment) nested.getMethod("address").invoke(null);
                assertFalse(address.equals(MemorySegment.NULL), nested.getSimpleName());
            }
        }
    }
}
