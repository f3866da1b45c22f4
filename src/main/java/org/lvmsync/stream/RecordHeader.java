package org.lvmsync.stream;

/**
 * The header of one decoded record: where it sits in the stream and which bytes of the
 * device it replaces. Already validated: {@code length > 0} and {@code offset + length}
 * does not overflow a signed 64-bit value.
 *
 * @param index        0-based record number in the stream
 * @param streamOffset byte position of the record header in the stream
 * @param offset       byte offset on the device
 * @param length       payload length in bytes
 */
public record RecordHeader(long index, long streamOffset, long offset, long length) {
    public long end() {
        return offset + length;
    }
}
