package org.lvmsync.apply;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.lvmsync.FailureClass;
import org.lvmsync.Log;
import org.lvmsync.LvmsyncException;
import org.lvmsync.os.Fd;
import org.lvmsync.os.FdChannel;
import org.lvmsync.stream.ClassicFormat;
import org.lvmsync.stream.ExtendedFormat;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamIdentity;

/**
 * An undo file: a change stream holding the bytes a run is about to overwrite. Applying it
 * puts them back. It is a new file (mode 0600: it holds device data); an existing file is
 * never overwritten, since it may be the only copy of older data.
 *
 * <p>For an extended stream (and a local sync) it is an extended stream itself, whose
 * header says it is an undo file and which run it undoes (see
 * {@link StreamIdentity#undoes()}), ended by an end record when the run ends in order. For
 * a stream of the original's format, whose records may come in any order and overlap, it
 * is in the original's format too (the extended one needs sorted records).
 *
 * <p>The file appears under its name only once its handshake and header are durable: it is
 * written under a temporary name in the same directory and linked into place, so after a
 * crash the name holds either nothing or a readable beginning.
 *
 * <p>Only what a successful {@link #sync()} made durable counts. A write or sync that
 * fails leaves the file refusing everything after it, cut back to the length of the last
 * successful sync: whole records only, and every record it drops protects bytes the
 * applier has not overwritten (it writes a batch only after its pre-images synced).
 * Retrying a failed fdatasync would be wrong: Linux reports a writeback error once, and
 * the second call returns 0 for data that may never reach the disk. After a crash the
 * file may end in a torn record of the batch that was being saved, never synced and so
 * never overwritten: at most {@link #MAX_UNSYNCED} bytes, which applying the file skips.
 */
final class Snapback implements AutoCloseable {
    /**
     * Most stream bytes appended after the last sync: one batch's pre-images, whose records
     * carry at most the batch's bytes and a header per piece or zero chunk, and the end record.
     */
    static final long MAX_UNSYNCED = Applier.STAGING_BYTES + (1L << 20);

    private final Path path;
    private Fd fd;
    private final Relay channel;
    private final StreamEncoder encoder;
    private long records;
    private long durableBytes;
    private Exception failure;
    private boolean finished;

    private Snapback(Path path, Fd fd, Optional<StreamIdentity> identity) {
        this.path = path;
        this.fd = fd;
        this.channel = new Relay(new FdChannel(fd));
        this.encoder = identity.isPresent() ? ExtendedFormat.V1.encoder(channel) : ClassicFormat.PROTO3.encoder(channel);
    }

    /** The encoder's channel, moved to the file's descriptor under its final name once it has one. */
    private static final class Relay implements WritableByteChannel {
        private FdChannel to;

        Relay(FdChannel to) {
            this.to = to;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return to.write(src);
        }

        @Override
        public boolean isOpen() {
            return to.isOpen();
        }

        @Override
        public void close() {
            // the descriptor is Snapback's to close
        }
    }

    /**
     * Creates the file: handshake and (extended) header written under a temporary name,
     * made durable, linked to {@code path}, directory synced. If any step fails nothing is
     * left behind.
     *
     * @param identity the undo file's identity (extended format); empty for the original's format
     */
    static Snapback create(Path path, Optional<StreamIdentity> identity) throws IOException {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw exists(path, null);
        }
        Path dir = path.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + path.getFileName() + ".lvmsync-new-" + ProcessHandle.current().pid()
                + "-" + Long.toHexString(System.nanoTime()));
        Fd fd;
        try {
            fd = Fd.open(temp, Fd.O_WRONLY | Fd.O_CREAT | Fd.O_EXCL, 0600);
        } catch (IOException e) {
            throw cannotCreate(path, e);
        }
        Snapback snapback = new Snapback(path, fd, identity);
        try {
            snapback.encoder.writeHandshake();
            if (identity.isPresent()) {
                snapback.encoder.write(new Record.Header(identity.get()), MemorySegment.NULL);
            }
            snapback.sync();
        } catch (IOException | RuntimeException e) {
            snapback.closeQuietly(e);
            removeQuietly(temp, e);
            throw cannotCreate(path, e);
        }
        try {
            Files.createLink(path, temp);
        } catch (IOException | RuntimeException e) {
            snapback.closeQuietly(e);
            removeQuietly(temp, e);
            throw e instanceof FileAlreadyExistsException ? exists(path, e) : cannotCreate(path, e);
        }
        snapback.fd = snapback.fd.renamed(path);
        snapback.channel.to = new FdChannel(snapback.fd);
        try {
            Files.delete(temp);
            syncDirectory(path);
        } catch (IOException | RuntimeException e) {
            snapback.discard(e);
            removeQuietly(temp, e);
            throw cannotCreate(path, e);
        }
        return snapback;
    }

    private static LvmsyncException exists(Path path, Exception cause) {
        return new LvmsyncException(FailureClass.DESTINATION, "snapback file " + path
                + " already exists; give a new name (an undo file is never overwritten)", cause);
    }

    private static LvmsyncException cannotCreate(Path path, Exception e) {
        return new LvmsyncException(FailureClass.IO, "cannot create snapback file " + path + ": "
                + e.getMessage() + "; nothing was written", e);
    }

    private static void removeQuietly(Path file, Exception into) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            into.addSuppressed(e);
        }
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

    /**
     * Appends the old bytes of {@code [offset, offset + oldBytes.byteSize())}, in records the
     * format can carry; durable after {@link #sync()}.
     */
    void record(long offset, MemorySegment oldBytes) throws IOException {
        usable();
        try {
            long max = encoder.maxRecordLength();
            for (long at = 0; at < oldBytes.byteSize(); at += max) {
                long n = Math.min(max, oldBytes.byteSize() - at);
                encoder.write(new Record.Data(offset + at, n), oldBytes.asSlice(at, n));
            }
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
            durableBytes = encoder.position();   // after a flush: the file's length
        } catch (IOException | RuntimeException e) {
            failed(e);
            throw e;
        }
    }

    /**
     * The run ended in order (completed, or stopped after a failure it reported): the end
     * record goes on (the extended format's proof that the file is whole), durably.
     */
    void finish() throws IOException {
        usable();
        try {
            encoder.finish();
            fd.fdatasync();
            durableBytes = encoder.position();
            finished = true;
        } catch (IOException | RuntimeException e) {
            failed(e);
            throw e;
        }
    }

    boolean usableForMore() {
        return failure == null && !finished;
    }

    private void usable() throws IOException {
        if (failure != null) {
            throw new IOException("snapback file " + path + " takes no more records after the failure: "
                    + failure.getMessage(), failure);
        }
        if (finished) {
            throw new IllegalStateException("snapback file " + path + " is finished");
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

    private void closeQuietly(Exception into) {
        try {
            close();
        } catch (IOException e) {
            into.addSuppressed(e);
        }
    }

    /**
     * Closes and removes the file: for a run that failed before it overwrote anything, so
     * that running the same command again is not refused because the file exists.
     */
    void discard(Exception cause) {
        closeQuietly(cause);
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
            // the name is gone for this boot; after a crash it may be back, holding the header only
            Log.debug("removed " + path + ", but syncing its directory failed: " + e.getMessage());
        }
    }
}
