package org.lvmsync.os;

import java.lang.foreign.MemorySegment;
import org.lvmsync.bindings.zstd.zstd_h;

/**
 * One zstd decompression context (ZSTD_DCtx), owned here and freed by {@link #close()},
 * for frames from untrusted input: the window a frame may ask for is capped, and output
 * never exceeds the destination given, so a frame that claims or expands to more is
 * refused instead of being allocated.
 */
public final class ZstdDecompressor implements AutoCloseable {
    private MemorySegment dctx;

    private ZstdDecompressor(MemorySegment dctx) {
        this.dctx = dctx;
    }

    /** @param windowLogMax largest back-reference window accepted, as a power of two (10..31) */
    public static ZstdDecompressor open(int windowLogMax) throws ZstdException {
        Zstd.require();
        MemorySegment dctx = zstd_h.ZSTD_createDCtx();
        if (dctx.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("ZSTD_createDCtx: out of memory");
        }
        ZstdDecompressor d = new ZstdDecompressor(dctx);
        try {
            Zstd.check("set window limit 2^" + windowLogMax,
                    zstd_h.ZSTD_DCtx_setParameter(dctx, zstd_h.ZSTD_d_windowLogMax(), windowLogMax));
            return d;
        } catch (ZstdException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /**
     * The content size a frame header at the start of {@code src} declares.
     *
     * @return the size, {@code -1} if the header does not say, {@code -2} if src does not
     *         start with a valid frame header
     */
    public static long frameContentSize(MemorySegment src) {
        Zstd.require();
        return zstd_h.ZSTD_getFrameContentSize(src, src.byteSize());
    }

    /** Bytes of the first frame in {@code src} (native), or an exception if it is not a whole frame. */
    public static long frameCompressedSize(MemorySegment src) throws ZstdException {
        Zstd.require();
        return Zstd.check("frame size", zstd_h.ZSTD_findFrameCompressedSize(src, src.byteSize()));
    }

    /**
     * Decompresses the frames in {@code src} into the start of {@code dst} (both native).
     *
     * @return bytes written to dst
     * @throws ZstdException if the input is damaged, asks for too large a window, or would
     *                       expand beyond dst
     */
    public long decompress(MemorySegment dst, MemorySegment src) throws ZstdException {
        if (dctx == null) {
            throw new IllegalStateException("zstd decompressor is closed");
        }
        return Zstd.check("decompress",
                zstd_h.ZSTD_decompressDCtx(dctx, dst, dst.byteSize(), src, src.byteSize()));
    }

    @Override
    public void close() {
        if (dctx != null) {
            zstd_h.ZSTD_freeDCtx(dctx);
            dctx = null;
        }
    }
}
