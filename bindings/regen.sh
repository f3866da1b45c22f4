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
# Usage: bindings/regen.sh [jextract]   (headers: libc6-dev, linux-libc-dev, libdevmapper-dev)
set -eu
JEXTRACT=${1:-jextract}
OUT=$(dirname "$0")/src/main/java
INC=/usr/include

lib() { # header-class-name header [args...]: libc-family headers, package ...bindings.libc
    name=$1; header=$2; shift 2
    "$JEXTRACT" --output "$OUT" -t org.lvmsync.bindings.libc --header-class-name "$name" \
        -D _GNU_SOURCE "$@" "$header"
}

lib fcntl_h $INC/fcntl.h \
    --include-function open --include-function posix_fadvise \
    --include-function splice --include-function vmsplice \
    --include-constant O_RDONLY --include-constant O_WRONLY --include-constant O_RDWR \
    --include-constant O_CREAT --include-constant O_EXCL --include-constant O_TRUNC \
    --include-constant O_NONBLOCK --include-constant O_DIRECT --include-constant O_CLOEXEC \
    --include-constant POSIX_FADV_DONTNEED \
    --include-constant SPLICE_F_MOVE --include-constant SPLICE_F_NONBLOCK --include-constant SPLICE_F_MORE

lib unistd_h $INC/unistd.h \
    --include-function close --include-function read --include-function write \
    --include-function pread --include-function pwrite \
    --include-function fsync --include-function fdatasync --include-function pipe2

lib ioctl_h $INC/x86_64-linux-gnu/sys/ioctl.h \
    --include-function ioctl

lib mman_h $INC/x86_64-linux-gnu/sys/mman.h \
    --include-function mmap --include-function munmap \
    --include-constant PROT_READ --include-constant PROT_WRITE \
    --include-constant MAP_SHARED --include-constant MAP_PRIVATE

lib stat_h $INC/x86_64-linux-gnu/sys/stat.h \
    --include-function fstat --include-struct stat --include-struct timespec \
    --include-constant S_IFMT --include-constant S_IFCHR \
    --include-constant S_IFBLK --include-constant S_IFREG

lib string_h $INC/string.h \
    --include-function strerror --include-function strerrorname_np

lib errno_h $INC/errno.h \
    --include-constant EPERM --include-constant ENOENT --include-constant EINTR \
    --include-constant EIO --include-constant ENXIO --include-constant EBADF \
    --include-constant EAGAIN --include-constant EACCES --include-constant EBUSY \
    --include-constant EEXIST --include-constant ENODEV --include-constant EINVAL \
    --include-constant ENOTTY --include-constant ENOSPC --include-constant EOPNOTSUPP

"$JEXTRACT" --output "$OUT" -t org.lvmsync.bindings.linux --header-class-name fs_h \
    --include-constant BLKFLSBUF --include-constant BLKSSZGET --include-constant BLKGETSIZE64 \
    --include-constant BLKDISCARD --include-constant BLKPBSZGET --include-constant BLKZEROOUT \
    $INC/linux/fs.h
