package org.lvmsync.os;

/**
 * The block-device ioctls of {@code <linux/fs.h>} the tool uses. They are {@code _IO*}
 * macros, which jextract does not generate, so they are built here from their
 * definitions (type 0x12); the gcc layout test proves each value against the header.
 */
public final class BlockIoctls {
    private static final int BLOCK = 0x12;

    /** {@code _IO(0x12,97)}: write back and drop the device's cached pages. */
    public static final long BLKFLSBUF = IoctlNumber.io(BLOCK, 97);
    /** {@code _IO(0x12,104)}: logical block size, into an int. */
    public static final long BLKSSZGET = IoctlNumber.io(BLOCK, 104);
    /** {@code _IOR(0x12,114,size_t)}: capacity in bytes, into a u64. */
    public static final long BLKGETSIZE64 = IoctlNumber.ior(BLOCK, 114, Long.BYTES);
    /** {@code _IO(0x12,119)}: discard a range {u64 offset, u64 length}. */
    public static final long BLKDISCARD = IoctlNumber.io(BLOCK, 119);
    /** {@code _IO(0x12,123)}: physical block size, into an int. */
    public static final long BLKPBSZGET = IoctlNumber.io(BLOCK, 123);
    /** {@code _IO(0x12,127)}: write zeros over a range {u64 offset, u64 length}. */
    public static final long BLKZEROOUT = IoctlNumber.io(BLOCK, 127);

    private BlockIoctls() {
    }
}
