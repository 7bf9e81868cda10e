package dev.ferry.inventory.api;

/** Life of a destination reservation. */
public enum ReservationState {
    /** Holds CPU and memory on the destination until it is committed, released or expires. */
    ACTIVE,
    /** The migration succeeded: the hold became the VM's placement. */
    COMMITTED,
    /** The migration failed, was cancelled, or the hold expired: capacity is free again. */
    RELEASED
}
