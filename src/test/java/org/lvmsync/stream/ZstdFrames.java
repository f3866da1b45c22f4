package org.lvmsync.stream;

import java.io.ByteArrayOutputStream;

/**
 * zstd frames assembled by hand from the frame format (RFC 8878), so a test can make the
 * frames a compressor never writes: sizes that lie, windows too large, blocks that expand
 * without end, skippable frames. Only raw and RLE blocks (no entropy coding needed).
 */
final class ZstdFrames {
    static final int MAX_BLOCK = 128 * 1024;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private ZstdFrames() {
    }

    /**
     * A frame header with an 8-byte content size (or none, {@code contentSize < 0}) and a
     * window descriptor of {@code 2^windowLog}.
     */
    static ZstdFrames frame(long contentSize, int windowLog) {
        ZstdFrames f = new ZstdFrames();
        f.le(0xFD2FB528L, 4);
        f.out.write(contentSize < 0 ? 0x00 : 0xC0);   // FCS field 8 bytes (or none), not single-segment
        f.out.write((windowLog - 10) << 3);
        if (contentSize >= 0) {
            f.le(contentSize, 8);
        }
        return f;
    }

    ZstdFrames raw(byte[] bytes, boolean last) {
        le((last ? 1 : 0) | (long) bytes.length << 3, 3);
        out.writeBytes(bytes);
        return this;
    }

    ZstdFrames rle(int value, int regenerated, boolean last) {
        le((last ? 1 : 0) | 1 << 1 | (long) regenerated << 3, 3);
        out.write(value);
        return this;
    }

    /** {@code blocks} RLE blocks of the largest size, the last one marked last. */
    ZstdFrames rleRun(int value, int blocks) {
        for (int i = 0; i < blocks; i++) {
            rle(value, MAX_BLOCK, i == blocks - 1);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A skippable frame (magic 0x184D2A50) holding {@code bytes}. */
    static byte[] skippable(byte[] bytes) {
        ZstdFrames f = new ZstdFrames();
        f.le(0x184D2A50L, 4);
        f.le(bytes.length, 4);
        f.out.writeBytes(bytes);
        return f.bytes();
    }

    private void le(long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }
}
