package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
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
 *
 * <p>Only what a successful {@link #sync()} made durable counts. A write or sync that
 * fails leaves the file refusing everything after it, cut back to the length of the last
 * successful sync: whole records only, so it still decodes, and every record it drops
 * protects bytes the applier has not overwritten (it writes a batch only after its
 * pre-images synced). Retrying a failed fdatasync would be wrong: Linux reports a
 * writeback error once, and the second call returns 0 for data that may never reach the
 * disk.
 */
final class Snapback implements AutoCloseable {
    private final Path path;
    private final Fd fd;
    private final StreamEncoder encoder;
    private long records;
    private long durableBytes;
    private Exception failure;

    private Snapback(Path path, Fd fd) {
        this.path = path;
        this.fd = fd;
        this.encoder = StreamFormats.DEFAULT.encoder(new FdChannel(fd));
    }

    /**
     * Creates the file, writes the handshake and makes file and directory entry durable.
     * If any step fails the file is removed again: it was new, and holds nothing yet.
     */
    static Snapback create(Path path) throws IOException {
        Fd fd;
        try {
            fd = Fd.open(path, Fd.O_WRONLY | Fd.O_CREAT | Fd.O_EXCL, 0600);
        } catch (ErrnoException e) {
            if (e.errno() == errno_h.EEXIST()) {
                throw new LvmsyncException(FailureClass.DESTINATION, "snapback file " + path
                        + " already exists; give a new name (an undo file is never overwritten)", e);
            }
            throw new LvmsyncException(FailureClass.IO, "cannot create snapback file " + path + ": "
                    + e.getMessage() + "; nothing was written", e);
        }
        Snapback snapback = new Snapback(path, fd);
        try {
            snapback.encoder.writeHandshake();
            snapback.sync();
            syncDirectory(path);
        } catch (IOException | RuntimeException e) {
            snapback.discard(e);
            throw new LvmsyncException(FailureClass.IO, "cannot create snapback file " + path + ": "
                    + e.getMessage() + "; nothing was written", e);
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

    /** Appends the old bytes of {@code [offset, offset + oldBytes.byteSize())}; durable after {@link #sync()}. */
    void record(long offset, MemorySegment oldBytes) throws IOException {
        usable();
        try {
            encoder.write(new Record.Data(offset, oldBytes.byteSize()), oldBytes);
            records++;
        } catch (IOException | RuntimeException e) {
            failed(e);
            throw e;
        }
    }

    /** Everything recorded so far is on stable storage when this returns. */
    void sync() throws IOException {
        usable();
        try {
            encoder.flush();
            fd.fdatasync();
            durableBytes = encoder.position();   // after a flush of the classic encoder: the file's length
        } catch (IOException | RuntimeException e) {
            failed(e);
            throw e;
        }
    }

    private void usable() throws IOException {
        if (failure != null) {
            throw new IOException("snapback file " + path + " takes no more records after the failure: "
                    + failure.getMessage(), failure);
        }
    }

    /** Remembers the first failure and cuts the file back to what the last sync made durable. */
    private void failed(Exception e) {
        failure = e;
        try {
            fd.truncate(durableBytes);
            fd.fdatasync();
        } catch (IOException cut) {
            e.addSuppressed(cut);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            encoder.close();
        } finally {
            fd.close();
        }
    }

    /**
     * Closes and removes the file: for a run that failed before it overwrote anything, so
     * that running the same command again is not refused because the file exists.
     */
    void discard(Exception cause) {
        try {
            close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Log.warn("could not remove the unused snapback file " + path + " (" + e.getMessage()
                    + "); remove it before running again");
            return;
        }
        try {
            syncDirectory(path);
        } catch (IOException e) {
            // the name is gone for this boot; after a crash it may be back, holding the handshake only
            Log.debug("removed " + path + ", but syncing its directory failed: " + e.getMessage());
        }
    }
}
