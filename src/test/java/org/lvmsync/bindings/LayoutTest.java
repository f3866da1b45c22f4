package org.lvmsync.bindings;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvmsync.bindings.devmapper.dm_info;
import org.lvmsync.bindings.devmapper.libdevmapper_h;
import org.lvmsync.bindings.dmioctl.dm_ioctl;
import org.lvmsync.bindings.dmioctl.dm_ioctl_h;
import org.lvmsync.bindings.dmioctl.dm_name_list;
import org.lvmsync.bindings.dmioctl.dm_target_deps;
import org.lvmsync.bindings.dmioctl.dm_target_msg;
import org.lvmsync.bindings.dmioctl.dm_target_spec;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.bindings.libc.fcntl_h;
import org.lvmsync.bindings.libc.ioctl_h;
import org.lvmsync.bindings.libc.iovec;
import org.lvmsync.bindings.libc.mman_h;
import org.lvmsync.bindings.libc.stat;
import org.lvmsync.bindings.libc.stat_h;
import org.lvmsync.bindings.libc.string_h;
import org.lvmsync.bindings.libc.syscall_h;
import org.lvmsync.bindings.libc.timespec;
import org.lvmsync.bindings.libc.unistd_h;
import org.lvmsync.bindings.uring.io_cqring_offsets;
import org.lvmsync.bindings.uring.io_sqring_offsets;
import org.lvmsync.bindings.uring.io_uring_cqe;
import org.lvmsync.bindings.uring.io_uring_h;
import org.lvmsync.bindings.uring.io_uring_params;
import org.lvmsync.bindings.uring.io_uring_sqe;
import org.lvmsync.bindings.zstd.ZSTD_bounds;
import org.lvmsync.bindings.zstd.zstd_h;
import org.lvmsync.dm.DmIoctls;
import org.lvmsync.os.BlockIoctls;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** The hand-written bindings agree with gcc and the system headers, value for value. */
class LayoutTest {
    private static final Path WORK = Path.of("target", "layout-test");

    private static final List<Class<?>> LIBC = List.of(fcntl_h.class, unistd_h.class, ioctl_h.class,
            mman_h.class, stat_h.class, string_h.class, errno_h.class, syscall_h.class);

    @Test
    void libcAndLinuxFsMatchTheHeaders() throws Exception {
        CLayoutChecker check = new CLayoutChecker()
                .include("fcntl.h").include("unistd.h").include("errno.h").include("string.h")
                .include("sys/ioctl.h").include("sys/mman.h").include("sys/stat.h").include("linux/fs.h")
                .include("sys/syscall.h");
        for (Class<?> header : LIBC) {
            check.constantsOf(header);
        }
        check.fieldsOf(BlockIoctls.class)
                .struct("stat", stat.class)
                .struct("timespec", timespec.class)
                .struct("iovec", iovec.class)
                .expression("sizeof(off_t)", 8)
                .expression("sizeof(size_t)", 8)
                .expression("sizeof(dev_t)", 8)
                .verify(WORK.resolve("libc"));
    }

    @Test
    void ioUringBindingsMatchTheHeaders() throws Exception {
        new CLayoutChecker()
                .include("linux/io_uring.h")
                .constantsOf(io_uring_h.class)
                .struct("io_uring_params", io_uring_params.class)
                .struct("io_sqring_offsets", io_sqring_offsets.class)
                .struct("io_cqring_offsets", io_cqring_offsets.class)
                .struct("io_uring_sqe", io_uring_sqe.class)
                .struct("io_uring_cqe", io_uring_cqe.class)
                .verify(WORK.resolve("uring"));
    }

    @Test
    void deviceMapperBindingsMatchTheHeaders() throws Exception {
        new CLayoutChecker()
                .include("sys/ioctl.h").include("linux/dm-ioctl.h").include("libdevmapper.h")
                .constantsOf(dm_ioctl_h.class)
                .fieldsOf(DmIoctls.class)
                .struct("dm_ioctl", dm_ioctl.class)
                .struct("dm_target_spec", dm_target_spec.class)
                .struct("dm_target_deps", dm_target_deps.class)
                .struct("dm_name_list", dm_name_list.class)
                .struct("dm_target_msg", dm_target_msg.class)
                .constantsOf(libdevmapper_h.class)
                .struct("dm_info", dm_info.class)
                .expression("sizeof(uint64_t)", 8)
                .verify(WORK.resolve("dm"));
    }

    @Test
    void zstdBindingsMatchTheHeaders() throws Exception {
        CLayoutChecker check = new CLayoutChecker().include("zstd.h").include("zstd_errors.h");
        // enum constants with lower-case names, which constantsOf cannot tell from no-argument functions
        for (String name : List.of("ZSTD_c_compressionLevel", "ZSTD_c_windowLog", "ZSTD_c_contentSizeFlag",
                "ZSTD_c_checksumFlag", "ZSTD_c_nbWorkers", "ZSTD_c_jobSize", "ZSTD_d_windowLogMax",
                "ZSTD_error_no_error", "ZSTD_error_frameParameter_windowTooLarge", "ZSTD_error_corruption_detected",
                "ZSTD_error_dstSize_tooSmall", "ZSTD_error_srcSize_wrong")) {
            check.expression(name, ((Number) zstd_h.class.getMethod(name).invoke(null)).longValue());
        }
        check.constantsOf(zstd_h.class)
                .typedefStruct("ZSTD_bounds", ZSTD_bounds.class)
                .expression("sizeof(ZSTD_cParameter)", 4)
                .expression("sizeof(ZSTD_ErrorCode)", 4)
                .verify(WORK.resolve("zstd"));
    }

    @Test
    void everyZstdSymbolResolves() throws Exception {
        try {
            resolveAll(zstd_h.class);
        } catch (ExceptionInInitializerError e) {
            org.junit.jupiter.api.Assumptions.abort("libzstd.so.1 is not installed: " + e.getCause());
        }
    }

    @Test
    void everyLibdevmapperSymbolResolves() throws Exception {
        try {
            resolveAll(libdevmapper_h.class);
        } catch (ExceptionInInitializerError e) {
            org.junit.jupiter.api.Assumptions.abort("libdevmapper.so.1.02.1 is not installed: " + e.getCause());
        }
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
