package org.lvmsync.dm;

/**
 * What DM_DEVICE_INFO says about one device. When {@code exists} is false every other
 * field is meaningless (name and uuid are empty, numbers 0).
 */
public record DmInfo(boolean exists, String name, String uuid, DevNo dev, int openCount,
                     boolean suspended, boolean readOnly, int targetCount, int eventNr,
                     boolean liveTable, boolean inactiveTable) {

    static DmInfo missing() {
        return new DmInfo(false, "", "", new DevNo(0, 0), 0, false, false, 0, 0, false, false);
    }
}
