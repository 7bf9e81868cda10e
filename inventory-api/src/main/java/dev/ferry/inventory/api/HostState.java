package dev.ferry.inventory.api;

/** Whether a host can run and receive VMs. */
public enum HostState {
    /** Running, accepts migrations. */
    UP,
    /** Being emptied for maintenance: runs its VMs but receives none. */
    MAINTENANCE,
    /** Taken out of scheduling by an operator. */
    DISABLED,
    /** Unreachable. */
    DOWN,
    /**
     * Registered by its libvirt URI; no worker has reported yet what the host is (CPU, memory, guests). Receives
     * nothing until the first report makes it UP.
     */
    DISCOVERING
}
