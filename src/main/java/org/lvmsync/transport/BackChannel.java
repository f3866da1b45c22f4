package org.lvmsync.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import org.lvmsync.Log;

/**
 * The remote's stdout: the receiver's answers to the sender (where to resume, what it
 * verified), kept apart from its stderr, which is relayed to the user. A pump thread
 * drains the pipe at once into a bounded buffer, so a remote that writes before anyone
 * asks never blocks on a full pipe; the sender reads the buffered bytes through
 * {@link #replies()} when it expects an answer. Bytes past {@link #LIMIT} that nobody
 * read are dropped, and a read after that fails rather than return a stream with a hole.
 */
final class BackChannel {
    /** More than any answer needs; what a chatty remote prints beyond it is dropped. */
    static final int LIMIT = 1 << 20;

    private final byte[] buffer = new byte[LIMIT];
    private int head;     // next byte to hand out
    private int count;    // bytes held
    private boolean eof;
    private boolean overflowed;
    private boolean read;
    private final Thread pump;

    private BackChannel(InputStream from, String name) {
        this.pump = Thread.ofPlatform().daemon().name(name).start(() -> pump(from));
    }

    /** Starts draining {@code from} (a process's stdout) in a thread named {@code name}. */
    static BackChannel start(InputStream from, String name) {
        return new BackChannel(from, name);
    }

    /** The remote's answers, in order; blocks until bytes arrive, -1 once the remote closed its stdout. */
    InputStream replies() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return take(b, off, len);
            }
        };
    }

    /** Waits until the remote closed its stdout (it exited), at most {@code millis}. */
    void awaitEnd(long millis) {
        try {
            pump.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Bytes the remote wrote that nobody asked for, as text, and forgets them. */
    synchronized String unread() {
        if (read || count == 0) {
            return "";
        }
        StringBuilder text = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            text.append((char) (buffer[(head + i) % LIMIT] & 0xff));
        }
        count = 0;
        return text.toString();
    }

    private synchronized int take(byte[] b, int off, int len) throws IOException {
        read = true;
        while (count == 0 && !eof) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the remote side's answer");
            }
        }
        if (overflowed) {
            throw new IOException("the remote side wrote more than " + LIMIT + " bytes to its stdout before they were"
                    + " read; its answers are lost");
        }
        if (count == 0) {
            return -1;
        }
        int n = Math.min(len, count);
        for (int i = 0; i < n; i++) {
            b[off + i] = buffer[(head + i) % LIMIT];
        }
        head = (head + n) % LIMIT;
        count -= n;
        return n;
    }

    private void pump(InputStream from) {
        byte[] chunk = new byte[8192];
        try (from) {
            int n;
            while ((n = from.read(chunk)) > 0) {
                put(chunk, n);
            }
        } catch (IOException e) {
            Log.debug("the remote side's stdout ended: " + e.getMessage());
        } finally {
            synchronized (this) {
                eof = true;
                notifyAll();
            }
        }
    }

    private synchronized void put(byte[] chunk, int n) {
        int fits = Math.min(n, LIMIT - count);
        for (int i = 0; i < fits; i++) {
            buffer[(head + count + i) % LIMIT] = chunk[i];
        }
        count += fits;
        overflowed |= fits < n;
        notifyAll();
    }
}
