package org.lvmsync.lvm;

import java.util.OptionalLong;

/**
 * One logical volume as LVM's report describes it (the fields lvmsync asks for:
 * {@code lv_name,vg_name,origin,pool_lv,thin_id,segtype,lv_attr,lv_uuid,lv_size}).
 * Empty strings are LVM's "none": a thin LV without an origin is not a snapshot.
 *
 * @param origin    the LV this one is a snapshot of (for a thin LV with an external
 *                  origin, that read-only LV), "" for none
 * @param poolLv    the thin pool of a thin LV, "" otherwise
 * @param thinId    the thin device id inside the pool, for thin LVs
 * @param segtype   "thin", "thin-pool", "linear", ...
 * @param attr      lv_attr, e.g. {@code Vwi-a-tz--}: the fifth character is 'a' when active
 * @param sizeBytes the LV's size in bytes
 */
public record LvInfo(String lvName, String vgName, String origin, String poolLv, OptionalLong thinId,
                     String segtype, String attr, String uuid, long sizeBytes) {
    public LvName name() {
        return new LvName(vgName, lvName);
    }

    public boolean isThin() {
        return segtype.equals("thin");
    }

    public boolean hasOrigin() {
        return !origin.isEmpty();
    }

    public boolean isActive() {
        return attr.length() > 4 && attr.charAt(4) == 'a';
    }
}
