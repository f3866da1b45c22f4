package org.lvmsync.transport;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.WritableByteChannel;
import org.lvmsync.stream.Record;
import org.lvmsync.stream.RecordSink;
import org.lvmsync.stream.StreamEncoder;
import org.lvmsync.stream.StreamFormat;
import org.lvmsync.stream.StreamFormats;

/**
 * Encodes records as a change stream onto a channel: the handshake at once, then one
 * record per call. Records longer than the format allows are split here, so callers
 * need not know the format's limit.
 */
public class StreamSink implements RecordSink {
    private final StreamEncoder encoder;
    private final WritableByteChannel channel;
    private final boolean closeChannel;
    private long records;
    private long dataBytes;

    public StreamSink(WritableByteChannel channel, boolean closeChannel) throws IOException {
        this(StreamFormats.DEFAULT, channel, closeChannel);
    }

    public StreamSink(StreamFormat format, WritableByteChannel channel, boolean closeChannel) throws IOException {
        this.encoder = format.encoder(channel);
        this.channel = channel;
        this.closeChannel = closeChannel;
        encoder.writeHandshake();
    }

    @Override
    public void accept(Record record, MemorySegment payload) throws IOException {
        switch (record) {
            case Record.Data data -> writeData(data, payload);
            case Record.Zero zero -> encoder.write(zero, payload);
            case Record.Discard discard -> encoder.write(discard, payload);
            case Record.Header header -> encoder.write(header, payload);
            case Record.End end -> throw new IllegalArgumentException("a sink ends with finish(), not an end record");
        }
    }

    private void writeData(Record.Data data, MemorySegment payload) throws IOException {
        long max = encoder.maxRecordLength();
        for (long at = 0; at < data.length(); at += max) {
            long length = Math.min(max, data.length() - at);
            encoder.write(new Record.Data(data.offset() + at, length), payload.asSlice(at, length));
            records++;
        }
        dataBytes += data.length();
    }

    @Override
    public void finish() throws IOException {
        encoder.finish();
    }

    @Override
    public void close() throws IOException {
        try {
            encoder.close();
        } finally {
            if (closeChannel) {
                channel.close();
            }
        }
    }

    public long records() {
        return records;
    }

    public long dataBytes() {
        return dataBytes;
    }

    /** Bytes of stream produced so far, handshake and headers included. */
    public long streamBytes() {
        return encoder.position();
    }
}
