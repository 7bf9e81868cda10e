package dev.ferry.events;

/** What changed in the inventory. */
public enum InventoryEventType {
    /** A host went UP, into MAINTENANCE, DISABLED or DOWN. */
    HOST_STATE_CHANGED,
    /** A host was removed from the inventory (only an empty host can be). */
    HOST_REMOVED,
    /** A VM was removed from the inventory. */
    VM_REMOVED,
    /** A VM now runs on another host (a migration succeeded, or an operator corrected the record). */
    VM_PLACEMENT_CHANGED,
    /** CPU and memory are held on a destination for a migration. */
    RESERVATION_CREATED,
    /** The hold became the VM's placement. */
    RESERVATION_COMMITTED,
    /** The hold was freed: the migration failed, was cancelled, or the hold expired. */
    RESERVATION_RELEASED,
    /**
     * A host's report disagrees with inventory (a guest running elsewhere than inventory says, a guest nobody
     * registered, a VM its host does not run, the host unreachable): {@code state} names the kind, {@code reason} the
     * detail. Nothing was changed; an operator decides.
     */
    HOST_DISCREPANCY;

    /** Events about a host rather than a VM: keyed by host, so that one host's events stay in order. */
    public boolean aboutHost() {
        return this == HOST_STATE_CHANGED || this == HOST_REMOVED || this == HOST_DISCREPANCY;
    }
}
