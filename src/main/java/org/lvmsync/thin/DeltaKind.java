package org.lvmsync.thin;

/** How a range of virtual blocks differs between the left and the right device of a diff. */
public enum DeltaKind {
    /** Mapped on the left only (for an origin on the right: discarded there since; reads back as zeros). */
    LEFT_ONLY,
    /** Mapped on the right only (for an origin on the right: written since the snapshot). */
    RIGHT_ONLY,
    /** Mapped on both sides to different data blocks (rewritten since the snapshot). */
    DIFFERENT
}
