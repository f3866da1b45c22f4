package org.lvmsync.os;

import java.lang.foreign.MemorySegment;
import org.lvmsync.bindings.zstd.zstd_h;

/**
 * One zstd compression context (ZSTD_CCtx), owned here and freed by {@link #close()}.
 * Each call compresses one whole buffer into one frame that records its content size, so
 * a reader can check the size before it decompresses. One thread at a time.
 */
public final class ZstdCompressor implements AutoCloseable {
    private MemorySegment cctx;

    private ZstdCompressor(MemorySegment cctx) {
        this.cctx = cctx;
    }

    /**
     * @param level   zstd level ({@link Zstd#minLevel()}..{@link Zstd#maxLevel()}; 0 = the library's default)
     * @param workers threads the library may use for one frame (0: compress in the caller's thread)
     */
    public static ZstdCompressor open(int level, int workers) throws ZstdException {
        Zstd.require();
        MemorySegment cctx = zstd_h.ZSTD_createCCtx();
        if (cctx.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("ZSTD_createCCtx: out of memory");
        }
        ZstdCompressor c = new ZstdCompressor(cctx);
        try {
            c.set("compression level " + level, zstd_h.ZSTD_c_compressionLevel(), level);
            c.set("content size flag", zstd_h.ZSTD_c_contentSizeFlag(), 1);
            if (workers > 0) {
                c.set(workers + " worker threads", zstd_h.ZSTD_c_nbWorkers(), workers);
            }
            return c;
        } catch (ZstdException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void set(String what, int parameter, int value) throws ZstdException {
        Zstd.check("set " + what, zstd_h.ZSTD_CCtx_setParameter(cctx, parameter, value));
    }

    /**
     * Compresses all of {@code src} (native memory) into the start of {@code dst} as one
     * frame.
     *
     * @return the frame's size, or -1 when it would not fit in {@code dst} (so a caller that
     *         passes a dst smaller than src learns that compression does not pay)
     */
    public long compress(MemorySegment dst, MemorySegment src) throws ZstdException {
        requireOpen();
        long n = zstd_h.ZSTD_compress2(cctx, dst, dst.byteSize(), src, src.byteSize());
        if (Zstd.isError(n) && Zstd.errorCode(n) == zstd_h.ZSTD_error_dstSize_tooSmall()) {
            return -1;
        }
        return Zstd.check("compress", n);
    }

    /** Worst-case frame size for {@code srcSize} bytes. */
    public static long bound(long srcSize) {
        Zstd.require();
        return zstd_h.ZSTD_compressBound(srcSize);
    }

    private void requireOpen() {
        if (cctx == null) {
            throw new IllegalStateException("zstd compressor is closed");
        }
    }

    @Override
    public void close() {
        if (cctx != null) {
            zstd_h.ZSTD_freeCCtx(cctx);
            cctx = null;
        }
    }
}
