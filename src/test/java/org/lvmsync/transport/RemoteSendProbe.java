package org.lvmsync.transport;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import org.lvmsync.changes.RunList;
import org.lvmsync.job.StreamIdentities;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.StreamFormat;
import org.lvmsync.stream.StreamFormats;
import org.lvmsync.stream.StreamWriting;

/**
 * A sending process for {@link RemoteSinkSignalTest}: opens a RemoteSink with the argv
 * given, in the format named first ({@code x1} with its header record, or {@code 3}), sends
 * records of 4 KiB until more than the encoder's buffer went into the pipe (so the pipe
 * ends on a record boundary), says so on stdout and waits to be signalled.
 */
public final class RemoteSendProbe {
    private RemoteSendProbe() {
    }

    public static void main(String[] args) throws Exception {
        StreamFormat format = StreamFormats.forProtocol(args[0]).orElseThrow();
        int records = Integer.parseInt(args[1]);
        List<String> argv = Arrays.asList(args).subList(2, args.length);
        RemoteSink sink = RemoteSink.start(argv, "probe", StreamWriting.of(format));
        RunList.Builder runs = RunList.builder(4096);
        for (int i = 0; i < records; i++) {
            runs.add(i);
        }
        sink.accept(new Record.Header(StreamIdentities.forDevice("probe", 1 << 20, runs.build())), MemorySegment.NULL);
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
