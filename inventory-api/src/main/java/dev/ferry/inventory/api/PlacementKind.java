package dev.ferry.inventory.api;

/** What a placement rule asks, as DRS rules do. */
public enum PlacementKind {
    /** Affinity: these VMs run on one host. */
    TOGETHER,
    /** Anti-affinity: no two of these VMs run on one host. */
    APART,
    /** Host affinity: these VMs run only on these hosts. */
    ON_HOSTS
}
