package dev.ferry.model.engine;

/**
 * Where a guest runs once a migration run has ended, as the hypervisor says (not as the run believes): a cancel that
 * arrives while the switch-over completes leaves the guest on the destination, whatever the run returned.
 */
public enum GuestLocation {
    /** Only the source runs it; the destination holds nothing that could run. */
    SOURCE,
    /** The destination runs it; the source's copy can never run again. */
    DESTINATION,
    /** Neither side can tell (unreachable, split, still switching over): an operator must look. */
    UNKNOWN
}
