#!/bin/sh
# Regenerates bindings/src/main/java with jextract (JDK 22 build, https://jdk.java.net/jextract/).
# jextract cannot be installed on the build machines, so the committed files were written
# by hand in exactly the shape these commands emit, restricted by the --include-* lists
# below; src/test/java/org/lvmsync/bindings/LayoutTest proves every constant, struct size
# and field offset against gcc and the system headers.
#
# One deliberate difference: jextract never links with Linker.Option.captureCallState,
# so errno-setting functions are re-linked with errno capture in org.lvmsync.os.Native
# (from the generated $address()/$descriptor()), and libdevmapper reports errors itself.
#
# Usage: bindings/regen.sh [jextract]   (headers: libc6-dev, linux-libc-dev, libdevmapper-dev, libzstd-dev)
set -eu
JEXTRACT=${1:-jextract}
OUT=$(dirname "$0")/src/main/java
INC=/usr/include
# the multiarch directory of this machine's libc headers (x86_64-linux-gnu, aarch64-linux-gnu, ...)
ARCH_INC=$INC/$(gcc -print-multiarch)

lib() { # header-class-name header [args...]: libc-family headers, package ...bindings.libc
    name=$1; header=$2; shift 2
    "$JEXTRACT" --output "$OUT" -t org.lvmsync.bindings.libc --header-class-name "$name" \
        -D _GNU_SOURCE "$@" "$header"
}

lib fcntl_h $INC/fcntl.h \
    --include-function open --include-function fcntl --include-function posix_fadvise --include-function fallocate \
    --include-function splice --include-function vmsplice --include-struct iovec \
    --include-constant O_RDONLY --include-constant O_WRONLY --include-constant O_RDWR \
    --include-constant O_CREAT --include-constant O_EXCL --include-constant O_TRUNC \
    --include-constant O_NONBLOCK --include-constant O_DIRECT --include-constant O_CLOEXEC \
    --include-constant POSIX_FADV_DONTNEED --include-constant POSIX_FADV_WILLNEED \
    --include-constant FALLOC_FL_KEEP_SIZE --include-constant FALLOC_FL_PUNCH_HOLE --include-constant FALLOC_FL_ZERO_RANGE \
    --include-constant SPLICE_F_MOVE --include-constant SPLICE_F_NONBLOCK --include-constant SPLICE_F_MORE \
    --include-constant SPLICE_F_GIFT --include-constant F_SETPIPE_SZ --include-constant F_GETPIPE_SZ

lib unistd_h $INC/unistd.h \
    --include-function close --include-function read --include-function write \
    --include-function pread --include-function pwrite \
    --include-function fsync --include-function fdatasync --include-function ftruncate --include-function pipe2 \
    --include-function isatty --include-function syscall

lib ioctl_h $ARCH_INC/sys/ioctl.h \
    --include-function ioctl --include-constant FIONREAD

lib mman_h $ARCH_INC/sys/mman.h \
    --include-function mmap --include-function munmap --include-function madvise --include-function mincore \
    --include-constant PROT_READ --include-constant PROT_WRITE \
    --include-constant MAP_SHARED --include-constant MAP_PRIVATE --include-constant MADV_WILLNEED \
    --include-constant MADV_DONTNEED

lib stat_h $ARCH_INC/sys/stat.h \
    --include-function fstat --include-struct stat --include-struct timespec \
    --include-constant S_IFMT --include-constant S_IFCHR \
    --include-constant S_IFBLK --include-constant S_IFREG

# the syscall numbers io_uring needs (glibc has no wrappers for io_uring_setup/enter)
lib syscall_h $ARCH_INC/sys/syscall.h \
    --include-constant SYS_io_uring_setup --include-constant SYS_io_uring_enter

lib string_h $INC/string.h \
    --include-function strerror --include-function strerrorname_np

lib errno_h $INC/errno.h \
    --include-constant EPERM --include-constant ENOENT --include-constant EINTR \
    --include-constant EIO --include-constant ENXIO --include-constant EBADF \
    --include-constant EAGAIN --include-constant EACCES --include-constant EBUSY \
    --include-constant EEXIST --include-constant ENODEV --include-constant EINVAL \
    --include-constant ENOTTY --include-constant ENOSPC --include-constant EPIPE --include-constant EOPNOTSUPP

# The block-device ioctl numbers of <linux/fs.h> (BLKGETSIZE64, ...) and the DM_* ioctl
# numbers of <linux/dm-ioctl.h> are _IO/_IOR/_IOWR macros, which jextract does not
# expand: they are written by hand in org.lvmsync.os.BlockIoctls and
# org.lvmsync.dm.DmIoctls (from the _IOC encoding) and proven by the same gcc test.

# io_uring: the structs and constants of <linux/io_uring.h>, used through syscall(2) and
# the mmapped rings (no liburing). Anonymous unions in io_uring_sqe are filtered down to
# the member the tool uses (off, addr, rw_flags, buf_index, splice_fd_in, addr3).
"$JEXTRACT" --output "$OUT" -t org.lvmsync.bindings.uring --header-class-name io_uring_h \
    --include-struct io_uring_params --include-struct io_sqring_offsets --include-struct io_cqring_offsets \
    --include-struct io_uring_sqe --include-struct io_uring_cqe \
    --include-constant IORING_SETUP_CLAMP --include-constant IORING_OFF_SQ_RING \
    --include-constant IORING_OFF_CQ_RING --include-constant IORING_OFF_SQES \
    --include-constant IORING_ENTER_GETEVENTS --include-constant IORING_FEAT_SINGLE_MMAP \
    --include-constant IORING_FEAT_NODROP --include-constant IORING_FEAT_RW_CUR_POS \
    --include-constant IORING_OP_READ \
    $INC/linux/io_uring.h

# libdevmapper: loaded by soname (-l :name), so a missing library fails at class
# initialisation; org.lvmsync.dm.DmClient probes it first to say what to install.
"$JEXTRACT" --output "$OUT" -t org.lvmsync.bindings.devmapper --header-class-name libdevmapper_h \
    -l :libdevmapper.so.1.02.1 \
    --include-function dm_lib_release --include-function dm_log_init_verbose \
    --include-function dm_get_library_version \
    --include-function dm_task_create --include-function dm_task_destroy \
    --include-function dm_task_set_name --include-function dm_task_set_major --include-function dm_task_set_minor \
    --include-function dm_task_no_flush \
    --include-function dm_task_run --include-function dm_task_get_errno --include-function dm_task_get_info \
    --include-function dm_task_get_name --include-function dm_task_get_uuid \
    --include-struct dm_info \
    --include-constant DM_DEVICE_CREATE --include-constant DM_DEVICE_RELOAD --include-constant DM_DEVICE_REMOVE \
    --include-constant DM_DEVICE_REMOVE_ALL --include-constant DM_DEVICE_SUSPEND --include-constant DM_DEVICE_RESUME \
    --include-constant DM_DEVICE_INFO --include-constant DM_DEVICE_DEPS --include-constant DM_DEVICE_RENAME \
    --include-constant DM_DEVICE_VERSION --include-constant DM_DEVICE_STATUS --include-constant DM_DEVICE_TABLE \
    --include-constant DM_DEVICE_WAITEVENT --include-constant DM_DEVICE_LIST --include-constant DM_DEVICE_CLEAR \
    --include-constant DM_DEVICE_MKNODES --include-constant DM_DEVICE_LIST_VERSIONS --include-constant DM_DEVICE_TARGET_MSG \
    $INC/libdevmapper.h

# linux/dm-ioctl.h uses _IOWR without including <linux/ioctl.h>: feed it through a wrapper.
# DM_VERSION_MINOR/PATCHLEVEL are left out on purpose: they change with the kernel headers,
# and the tool sends 4.0.0 (any 4.x driver accepts it).
WRAP=$(mktemp --suffix=.h)
WRAP_ZSTD=$(mktemp --suffix=.h)
trap 'rm -f "$WRAP" "$WRAP_ZSTD"' EXIT
printf '#include <sys/ioctl.h>\n#include <linux/dm-ioctl.h>\n' > "$WRAP"
"$JEXTRACT" --output "$OUT" -t org.lvmsync.bindings.dmioctl --header-class-name dm_ioctl_h \
    --include-struct dm_ioctl --include-struct dm_target_spec --include-struct dm_target_deps \
    --include-struct dm_name_list --include-struct dm_target_msg \
    --include-constant DM_VERSION_CMD --include-constant DM_LIST_DEVICES_CMD --include-constant DM_DEV_STATUS_CMD \
    --include-constant DM_TABLE_DEPS_CMD --include-constant DM_TABLE_STATUS_CMD --include-constant DM_TARGET_MSG_CMD \
    --include-constant DM_NAME_LEN --include-constant DM_UUID_LEN --include-constant DM_MAX_TYPE_NAME \
    --include-constant DM_IOCTL --include-constant DM_VERSION_MAJOR \
    --include-constant DM_READONLY_FLAG --include-constant DM_SUSPEND_FLAG --include-constant DM_STATUS_TABLE_FLAG \
    --include-constant DM_ACTIVE_PRESENT_FLAG --include-constant DM_INACTIVE_PRESENT_FLAG \
    --include-constant DM_BUFFER_FULL_FLAG --include-constant DM_NOFLUSH_FLAG --include-constant DM_DATA_OUT_FLAG \
    "$WRAP"

# libzstd (compressed data records of the extended stream format), loaded by soname like
# libdevmapper; org.lvmsync.os.Zstd probes it first. ZSTD_getErrorCode and the error
# numbers live in zstd_errors.h. ZSTD_bounds is a typedef of an anonymous struct.
printf '#include <zstd.h>\n#include <zstd_errors.h>\n' > "$WRAP_ZSTD"
"$JEXTRACT" --output "$OUT" -t org.lvmsync.bindings.zstd --header-class-name zstd_h \
    -l :libzstd.so.1 \
    --include-function ZSTD_versionNumber --include-function ZSTD_compressBound \
    --include-function ZSTD_isError --include-function ZSTD_getErrorName --include-function ZSTD_getErrorCode \
    --include-function ZSTD_minCLevel --include-function ZSTD_maxCLevel --include-function ZSTD_defaultCLevel \
    --include-function ZSTD_createCCtx --include-function ZSTD_freeCCtx --include-function ZSTD_cParam_getBounds \
    --include-function ZSTD_CCtx_setParameter --include-function ZSTD_compress2 \
    --include-function ZSTD_createDCtx --include-function ZSTD_freeDCtx --include-function ZSTD_DCtx_setParameter \
    --include-function ZSTD_decompressDCtx --include-function ZSTD_getFrameContentSize \
    --include-function ZSTD_findFrameCompressedSize \
    --include-typedef ZSTD_bounds \
    --include-constant ZSTD_CLEVEL_DEFAULT --include-constant ZSTD_CONTENTSIZE_UNKNOWN \
    --include-constant ZSTD_CONTENTSIZE_ERROR \
    --include-constant ZSTD_c_compressionLevel --include-constant ZSTD_c_windowLog \
    --include-constant ZSTD_c_contentSizeFlag --include-constant ZSTD_c_checksumFlag \
    --include-constant ZSTD_c_nbWorkers --include-constant ZSTD_c_jobSize --include-constant ZSTD_d_windowLogMax \
    --include-constant ZSTD_error_no_error --include-constant ZSTD_error_frameParameter_windowTooLarge \
    --include-constant ZSTD_error_corruption_detected --include-constant ZSTD_error_dstSize_tooSmall \
    --include-constant ZSTD_error_srcSize_wrong \
    "$WRAP_ZSTD"
