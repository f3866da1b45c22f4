package org.lvmsync.transport;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * A sending process for {@link RemoteSinkSignalTest}: opens a RemoteSink with the argv
 * given, sends records of 4 KiB until more than the encoder's buffer went into the pipe
 * (so the pipe ends on a record boundary), says so on stdout and waits to be signalled.
 */
public final class RemoteSendProbe {
    private RemoteSendProbe() {
    }

    public static void main(String[] args) throws Exception {
        int records = Integer.parseInt(args[0]);
        List<String> argv = Arrays.asList(args).subList(1, args.length);
        RemoteSink sink = RemoteSink.start(argv, "probe");
        byte[] data = new byte[4096];
        for (int i = 0; i < records; i++) {
            Arrays.fill(data, (byte) (i + 1));
            sink.data(4096L * i, MemorySegment.ofArray(data));
        }
        System.out.println("sent");
        System.out.flush();
        Thread.sleep(120_000);   // the test sends SIGTERM long before
        sink.close();
    }
}
