package org.lvmsync.os;

/**
 * The {@code _IO}, {@code _IOR}, {@code _IOW} and {@code _IOWR} macros of
 * {@code <asm-generic/ioctl.h>} as arithmetic: an ioctl number packs the command number
 * (bits 0-7), the driver's type (bits 8-15), the argument's size (bits 16-29) and the
 * direction (bits 30-31: 1 write, 2 read, from user space's view). This is the encoding of
 * x86, arm and most architectures Linux runs on (not powerpc, mips, sparc or alpha, whose
 * size and direction fields differ); the gcc layout test checks every number built here
 * against the headers of the machine it runs on.
 */
public final class IoctlNumber {
    private static final int NR_SHIFT = 0;
    private static final int TYPE_SHIFT = 8;
    private static final int SIZE_SHIFT = 16;
    private static final int DIR_SHIFT = 30;
    private static final long SIZE_MASK = (1L << 14) - 1;
    private static final long WRITE = 1;
    private static final long READ = 2;

    private IoctlNumber() {
    }

    /** {@code _IO(type, nr)}: no argument (or an argument the kernel does not size). */
    public static long io(int type, int nr) {
        return ioc(0, type, nr, 0);
    }

    /** {@code _IOR(type, nr, size)}: the kernel writes {@code size} bytes to the argument. */
    public static long ior(int type, int nr, long size) {
        return ioc(READ, type, nr, size);
    }

    /** {@code _IOW(type, nr, size)}: the kernel reads {@code size} bytes from the argument. */
    public static long iow(int type, int nr, long size) {
        return ioc(WRITE, type, nr, size);
    }

    /** {@code _IOWR(type, nr, size)}: both ways. */
    public static long iowr(int type, int nr, long size) {
        return ioc(READ | WRITE, type, nr, size);
    }

    /** The argument size a number declares (what the kernel may read or write through it). */
    public static long size(long number) {
        return (number >>> SIZE_SHIFT) & SIZE_MASK;
    }

    private static long ioc(long dir, int type, int nr, long size) {
        if ((type & ~0xff) != 0 || (nr & ~0xff) != 0 || size < 0 || size > SIZE_MASK) {
            throw new IllegalArgumentException("ioctl type " + type + ", nr " + nr + ", size " + size + " out of range");
        }
        return dir << DIR_SHIFT | size << SIZE_SHIFT | (long) type << TYPE_SHIFT | (long) nr << NR_SHIFT;
    }
}
