package org.lvmsync.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A channel onto an OutputStream (a child's stdin) that moves large buffers in one
 * write: {@code Channels.newChannel} would cut every megabyte into 8 KiB writes.
 */
final class OutputStreamChannel implements WritableByteChannel {
    private static final int CHUNK = 1 << 20;

    private final OutputStream out;
    private byte[] bounce = new byte[64 * 1024];
    private boolean open = true;

    OutputStreamChannel(OutputStream out) {
        this.out = out;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!open) {
            throw new java.nio.channels.ClosedChannelException();
        }
        int total = src.remaining();
        if (src.hasArray()) {
            out.write(src.array(), src.arrayOffset() + src.position(), total);
            src.position(src.limit());
            return total;
        }
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), CHUNK);
            if (bounce.length < n) {
                bounce = new byte[Math.max(n, Math.min(CHUNK, bounce.length * 2))];
            }
            src.get(bounce, 0, n);
            out.write(bounce, 0, n);
        }
        return total;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        out.close();
    }
}
