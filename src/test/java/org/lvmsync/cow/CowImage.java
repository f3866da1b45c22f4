package org.lvmsync.cow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Builds persistent exception store images byte by byte for tests, the way the kernel
 * lays them out, without using the reader's own code: header in chunk 0, area k at chunk
 * 1 + (chunk/16 + 1) * k, data chunks handed out in order skipping the areas, and the
 * area after a full one present and zeroed.
 */
final class CowImage {
    final int chunkBytes;
    int magic = 0x70416e53;
    int valid = 1;
    int version = 1;
    int chunkSectors;
    /** Chunks of free space past what the exceptions need. */
    int slackChunks = 3;

    CowImage(int chunkBytes) {
        this.chunkBytes = chunkBytes;
        this.chunkSectors = chunkBytes / 512;
    }

    byte[] build(long... oldChunks) {
        int epa = chunkBytes / 16;
        int areasUsed = oldChunks.length / epa + 1; // a full last area is followed by a zeroed one
        long lastAreaChunk = 1 + (long) (epa + 1) * (areasUsed - 1);
        long nextFree = 2;
        long[] newChunks = new long[oldChunks.length];
        for (int k = 0; k < oldChunks.length; k++) {
            newChunks[k] = nextFree++;
            if ((nextFree - 1) % (epa + 1) == 0) {
                nextFree++; // that chunk is the next metadata area
            }
        }
        long chunks = Math.max(nextFree, lastAreaChunk + 1) + slackChunks;
        ByteBuffer image = ByteBuffer.allocate(Math.toIntExact(chunks * chunkBytes)).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(0, magic).putInt(4, valid).putInt(8, version).putInt(12, chunkSectors);
        for (int k = 0; k < oldChunks.length; k++) {
            long area = k / epa;
            long at = (1 + (epa + 1) * area) * chunkBytes + (long) (k % epa) * 16;
            image.putLong((int) at, oldChunks[k]).putLong((int) at + 8, newChunks[k]);
            Arrays.fill(image.array(), (int) (newChunks[k] * chunkBytes), (int) ((newChunks[k] + 1) * chunkBytes), (byte) 0x5a);
        }
        return image.array();
    }

    /** Byte offset of record {@code k} (in order of allocation). */
    long recordOffset(int k) {
        int epa = chunkBytes / 16;
        return (1 + (long) (epa + 1) * (k / epa)) * chunkBytes + (long) (k % epa) * 16;
    }
}
