package org.lvmsync.dm;

/**
 * One line of a device's table or status: {@code start} and {@code length} in 512-byte
 * sectors, the target type ("linear", "snapshot", "thin-pool", ...) and the parameters
 * (table) or status text (status) as the kernel printed them.
 */
public record Target(long start, long length, String type, String params) {
    @Override
    public String toString() {
        return start + " " + length + " " + type + (params.isEmpty() ? "" : " " + params);
    }
}
