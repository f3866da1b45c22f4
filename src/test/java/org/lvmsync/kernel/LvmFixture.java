package org.lvmsync.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.sun.nio.file.ExtendedOpenOption;

/**
 * Real LVM volumes for the tests tagged {@code kernel}: a volume group on the scratch disks
 * of the qemu guest (scripts/vm/run lists them in {@code LVMSYNC_VM_DISKS}), with linear
 * LVs, classic snapshots, thin pools, thin LVs and thin snapshots, and writes and discards
 * at chosen offsets.
 *
 * <p>The fixture works through LVM's commands and plain Java I/O, never through the
 * product's classes, so that a bug in the product cannot hide in its own fixture. Reads
 * use O_DIRECT: what the kernel wrote below the page cache is what they see.
 *
 * <p>One fixture per test class: create it in {@code @BeforeAll}, {@link #close()} it in
 * {@code @AfterAll} (removes every LV of the VG). The next class's fixture renames that
 * empty VG rather than making a new one: each LVM command costs about a second under
 * emulation, and wiping and re-making the PVs and the VG for every class cost ~27 s of
 * a guest phase. A VG left with LVs (a class that died half-way) or not spanning all the
 * disks is removed and the disks wiped, as for the first class of a boot. Without
 * scratch disks or without device-mapper it throws, so kernel tests fail rather than
 * skip where they cannot run.
 */
public final class LvmFixture implements AutoCloseable {
    /** Set by scripts/vm/run in the guest: the scratch disks, separated by spaces. */
    public static final String DISKS_ENV = "LVMSYNC_VM_DISKS";
    private static final int IO_SIZE = 1 << 20;
    private static final int DIRECT_ALIGNMENT = 4096;

    private final String vg;
    private final List<String> disks;
    private boolean closed;

    private LvmFixture(String vg, List<String> disks) {
        this.vg = vg;
        this.disks = disks;
    }

    /**
     * Makes volume group {@code vg} on all scratch disks, first removing whatever an earlier
     * test class may have left on them. VG and LV names may contain dashes and dots.
     */
    public static LvmFixture create(String vg) {
        List<String> disks = scratchDisks();
        if (renameEmptyGroup(disks, vg)) {
            return new LvmFixture(vg, disks);
        }
        removeLeftovers(disks);
        for (String disk : disks) {
            Commands.run("wipefs", "--all", "--quiet", disk);
        }
        Commands.run(concat(List.of("pvcreate", "--quiet", "--yes"), disks));
        Commands.run(concat(List.of("vgcreate", "--quiet", vg), disks));
        return new LvmFixture(vg, disks);
    }

    /** The disks named in {@value #DISKS_ENV}; an AssertionError saying how to run kernel tests otherwise. */
    public static List<String> scratchDisks() {
        String list = System.getenv(DISKS_ENV);
        if (list == null || list.isBlank()) {
            throw new AssertionError(DISKS_ENV + " names no scratch disks: tests tagged kernel need"
                    + " real device-mapper and run in the qemu guest; run scripts/test");
        }
        return List.of(list.trim().split("\\s+"));
    }

    /**
     * Renames the VG the previous class emptied to {@code vg}, when exactly one VG spans all
     * the scratch disks and holds no LV; false (nothing changed) otherwise.
     */
    private static boolean renameEmptyGroup(List<String> disks, String vg) {
        Commands.Result pvs = Commands.tryRun("pvs", "--noheadings", "--separator", ":",
                "-o", "pv_name,vg_name,lv_count");
        if (pvs.status() != 0) {
            return false;
        }
        Set<String> groups = new HashSet<>();
        Set<String> covered = new HashSet<>();
        for (String line : pvs.stdout().lines().map(String::trim).toList()) {
            String[] f = line.split(":", -1);
            if (f.length != 3 || !disks.contains(f[0]) || f[1].isEmpty() || !f[2].trim().equals("0")) {
                return false;   // not ours, not in a VG, or a VG with LVs left in it
            }
            covered.add(f[0]);
            groups.add(f[1]);
        }
        if (groups.size() != 1 || !covered.containsAll(disks)) {
            return false;
        }
        String old = groups.iterator().next();
        return old.equals(vg) || Commands.tryRun("vgrename", "--quiet", old, vg).status() == 0;
    }

    private static void removeLeftovers(List<String> disks) {
        String report = Commands.run("pvs", "--noheadings", "--separator", ":", "-o", "pv_name,vg_name");
        for (String line : report.lines().map(String::trim).toList()) {
            String[] f = line.split(":", -1);
            if (f.length == 2 && disks.contains(f[0]) && !f[1].isEmpty()) {
                Commands.tryRun("vgremove", "--force", "--force", "--yes", f[1]);
            }
        }
        Commands.tryRun(concat(List.of("pvremove", "--force", "--force", "--yes"), disks));
    }

    public String vg() {
        return vg;
    }

    /** {@code /dev/VG/LV}. */
    public Path path(String lv) {
        return Path.of("/dev", vg, lv);
    }

    /** {@code /dev/mapper/VG-LV}, with every dash inside VG or LV doubled. */
    public Path mapperPath(String lv) {
        return Path.of("/dev/mapper", vg.replace("-", "--") + "-" + lv.replace("-", "--"));
    }

    /** A linear LV of {@code mib} MiB (a multiple of the 4 MiB extent). */
    public Path linear(String lv, long mib) {
        lvm("lvcreate", "--quiet", "--yes", "-L", mib + "m", "-n", lv, vg);
        return path(lv);
    }

    /** A classic (dm-snapshot) snapshot of {@code origin} with a COW of {@code cowMib} MiB. */
    public Path snapshot(String origin, String snap, long cowMib, int chunkKib) {
        lvm("lvcreate", "--quiet", "--yes", "--snapshot", "-L", cowMib + "m", "-c", chunkKib + "k",
                "-n", snap, vg + "/" + origin);
        return path(snap);
    }

    /** A thin pool of {@code mib} MiB with blocks of {@code chunkKib} KiB (64 or more). */
    public void thinPool(String pool, long mib, int chunkKib) {
        lvm("lvcreate", "--quiet", "--yes", "--type", "thin-pool", "-L", mib + "m", "-c", chunkKib + "k",
                "-n", pool, vg);
    }

    /** A thin LV of {@code mib} MiB virtual size in {@code pool}. */
    public Path thin(String pool, String lv, long mib) {
        lvm("lvcreate", "--quiet", "--yes", "--type", "thin", "--thinpool", pool, "-V", mib + "m",
                "-n", lv, vg);
        return path(lv);
    }

    /** A thin snapshot of thin LV {@code origin}, active (LVM skips them by default). */
    public Path thinSnapshot(String origin, String snap) {
        lvm("lvcreate", "--quiet", "--yes", "--snapshot", "--setactivationskip", "n", "-n", snap,
                vg + "/" + origin);
        return path(snap);
    }

    /** One field of {@code lvs} for {@code lv}, e.g. {@code chunk_size} with {@code --units b}. */
    public String report(String lv, String field) {
        return lvm("lvs", "--noheadings", "--nosuffix", "--units", "b", "-o", field, vg + "/" + lv).trim();
    }

    /** Runs an LVM command and returns its stdout. */
    public String lvm(String... command) {
        return Commands.run(command);
    }

    /** Fills the whole LV with {@link TestPattern} bytes of {@code seed}. */
    public void fill(String lv, long seed) {
        long size = Long.parseLong(Commands.run("blockdev", "--getsize64", path(lv).toString()).trim());
        try (FileChannel ch = FileChannel.open(path(lv), StandardOpenOption.WRITE)) {
            for (long off = 0; off < size; off += IO_SIZE) {
                writeFully(ch, off, TestPattern.bytes(seed, off, (int) Math.min(IO_SIZE, size - off)));
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fill " + path(lv), e);
        }
    }

    /** Writes {@link TestPattern} bytes of {@code seed} at {@code offset}, durably. */
    public void writePattern(String lv, long offset, int length, long seed) {
        write(lv, offset, TestPattern.bytes(seed, offset, length));
    }

    /** Writes {@code data} at {@code offset}, durably. */
    public void write(String lv, long offset, byte[] data) {
        try (FileChannel ch = FileChannel.open(path(lv), StandardOpenOption.WRITE)) {
            writeFully(ch, offset, data);
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + data.length + " bytes at " + offset
                    + " of " + path(lv), e);
        }
    }

    private static void writeFully(FileChannel ch, long offset, byte[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
            ch.write(buf, offset + buf.position());
        }
    }

    /** BLKDISCARD of {@code length} bytes at {@code offset} (thin pools unmap whole blocks only). */
    public void discard(String lv, long offset, long length) {
        Commands.run("blkdiscard", "--offset", Long.toString(offset), "--length", Long.toString(length),
                path(lv).toString());
    }

    /** {@code length} bytes at {@code offset}, read with O_DIRECT (both multiples of 4096). */
    public byte[] read(String lv, long offset, int length) {
        if (offset % DIRECT_ALIGNMENT != 0 || length % DIRECT_ALIGNMENT != 0) {
            throw new IllegalArgumentException("O_DIRECT needs 4096-aligned offset and length: "
                    + offset + ", " + length);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(length + DIRECT_ALIGNMENT)
                .alignedSlice(DIRECT_ALIGNMENT).limit(length);
        try (FileChannel ch = FileChannel.open(path(lv), StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw new IOException("end of device at " + (offset + buf.position()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + length + " bytes at " + offset + " of " + path(lv), e);
        }
        byte[] out = new byte[length];
        buf.flip().get(out);
        return out;
    }

    /** Removes every LV of the VG, which the next class's fixture renames; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // with no LV left, lvremove has nothing to do and says so, exit status 5
        if (!lvm("vgs", "--noheadings", "-o", "lv_count", vg).trim().equals("0")) {
            Commands.run("lvremove", "--quiet", "--force", "--yes", vg);
        }
    }

    private static String[] concat(List<String> head, List<String> tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(tail);
        return all.toArray(String[]::new);
    }

    @Override
    public String toString() {
        return "LvmFixture[" + vg + " on " + String.join(",", disks) + "]";
    }
}
