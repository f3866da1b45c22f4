package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.lvmsync.FailureClass;
import org.lvmsync.LvmsyncException;
import org.lvmsync.bindings.libc.errno_h;
import org.lvmsync.os.ErrnoException;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FdChannel;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamFormats;

/**
 * An undo file: a change stream (the default format, handshake first) holding the bytes a
 * run is about to overwrite. Applying it puts them back. It is a new file (mode 0600: it
 * holds device data) whose directory entry is made durable at once; an existing file is
 * never overwritten, since it may be the only copy of older data.
 */
final class Snapback implements AutoCloseable {
    private final Path path;
    private final Fd fd;
    private final StreamEncoder encoder;
    private long records;

    private Snapback(Path path, Fd fd) {
        this.path = path;
        this.fd = fd;
        this.encoder = StreamFormats.DEFAULT.encoder(new FdChannel(fd));
    }

    static Snapback create(Path path) throws IOException {
        Fd fd;
        try {
            fd = Fd.open(path, Fd.O_WRONLY | Fd.O_CREAT | Fd.O_EXCL, 0600);
        } catch (ErrnoException e) {
            if (e.errno() == errno_h.EEXIST()) {
                throw new LvmsyncException(FailureClass.DESTINATION, "snapback file " + path
                        + " already exists; give a new name (an undo file is never overwritten)", e);
            }
            throw e;
        }
        Snapback snapback = new Snapback(path, fd);
        try {
            snapback.encoder.writeHandshake();
            snapback.sync();
            syncDirectory(path);
        } catch (IOException | RuntimeException e) {
            try {
                fd.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return snapback;
    }

    private static void syncDirectory(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        try (Fd d = Fd.open(dir, Fd.O_RDONLY)) {
            d.fsync();
        }
    }

    Path path() {
        return path;
    }

    long records() {
        return records;
    }

    /** Appends the old bytes of {@code [offset, offset + oldBytes.byteSize())}. */
    void record(long offset, MemorySegment oldBytes) throws IOException {
        encoder.write(new Record.Data(offset, oldBytes.byteSize()), oldBytes);
        records++;
    }

    /** Everything recorded so far is on stable storage when this returns. */
    void sync() throws IOException {
        encoder.flush();
        fd.fdatasync();
    }

    @Override
    public void close() throws IOException {
        try {
            encoder.close();
        } finally {
            fd.close();
        }
    }
}
