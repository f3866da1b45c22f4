package org.lvmsync.stream;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;
import org.lvmsync.os.ZstdCompressor;
import org.lvmsync.os.ZstdException;

/**
 * A data record's payload as it goes on the wire: the bytes themselves, or one zstd frame
 * of them when that saves at least 1/32 (less is not worth the receiver's time), with the
 * CRC32C of what is stored.
 */
record Packed(MemorySegment stored, boolean zstd, int crc) {
    /** Records shorter than this are stored as they are: a frame's own overhead eats the gain. */
    static final long MIN_COMPRESS = 64;

    static Packed plain(MemorySegment data) {
        return new Packed(data, false, crc(data));
    }

    /**
     * @param plain   the record's bytes, native
     * @param scratch native room for the frame, at least as large as {@code plain}
     */
    static Packed of(ZstdCompressor compressor, MemorySegment plain, MemorySegment scratch) throws ZstdException {
        long n = plain.byteSize();
        if (n < MIN_COMPRESS) {
            return plain(plain);
        }
        long limit = n - n / 32 - 1;
        long size = compressor.compress(scratch.asSlice(0, limit), plain);
        return size < 0 ? plain(plain) : new Packed(scratch.asSlice(0, size), true, crc(scratch.asSlice(0, size)));
    }

    static int crc(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.asByteBuffer());
        return (int) crc.getValue();
    }
}
