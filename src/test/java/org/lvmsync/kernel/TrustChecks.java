package org.lvmsync.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvmsync.kernel.SyncScenario.KIB;

/**
 * The checks of a trustworthy transfer that the kernel tests run on their own volumes, so
 * they cost no LV of their own: a transfer cut short and resumed, and {@code --verify}
 * finding a block damaged after the apply.
 */
final class TrustChecks {
    private TrustChecks() {
    }

    /**
     * An interrupted transfer: {@code stream}, cut inside its last data record (as a sender or
     * a link that died leaves it), is applied to {@code dest} (cut short, exit 5; what came
     * whole is written and recorded as durable); then the same send with --resume (and
     * --verify) sends only what {@code dest} lacks: fewer bytes than the whole stream's
     * {@code restartBytes}, the rest being what the receiver held.
     */
    static void resumeAfterACut(Path stream, byte[] whole, long restartBytes, Path dest, String... send)
            throws IOException {
        Path cut = Files.write(Path.of(stream + ".cut"), Arrays.copyOf(whole, whole.length - 512 * (int) KIB));
        Lvmsync.inProcess("--apply", cut.toString(), dest.toString()).assertStatus(5);
        List<String> args = new ArrayList<>(List.of("--resume", "--verify"));
        args.addAll(List.of(send));
        args.add(dest.toString());
        Lvmsync.Run resumed = Lvmsync.inProcess(args.toArray(String[]::new));
        resumed.assertStatus(0);
        long sent = resumed.transferredBytes();
        assertTrue(sent > 0 && sent < restartBytes, "resumed: sent " + sent + " of " + restartBytes);
        assertTrue(resumed.stderr().contains("the receiver holds " + (restartBytes - sent) + " of the " + restartBytes
                + " changed bytes of this stream already"), resumed.stderr());
    }

    /**
     * {@code lvmsync --verify FILE DEST} finds {@code dest} as {@code stream} left it, then,
     * with 4 KiB at {@code at} (inside a data record) overwritten, names the record's range
     * (exit 6).
     */
    static void verifyFindsADamagedBlock(Path stream, Path dest, long at) throws IOException {
        Lvmsync.inProcess("--verify", stream.toString(), dest.toString()).assertStatus(0);
        byte[] junk = TestPattern.bytes(99, at, 4096);
        try (FileChannel ch = FileChannel.open(dest, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(junk), at);
            ch.force(false);
        }
        Lvmsync.Run damaged = Lvmsync.inProcess("--verify", stream.toString(), dest.toString());
        damaged.assertRefused(6, dest + " differs from change stream " + stream + " at byte ");
        long[] hit = ChangeStream.records(Files.readAllBytes(stream)).stream()
                .filter(r -> r[0] <= at && at < r[0] + r[1]).findFirst().orElseThrow();
        assertTrue(damaged.stderr().contains("(bytes [" + hit[0] + ", " + (hit[0] + hit[1]) + "))"), damaged.stderr());
    }
}
