package dev.ferry.events;

/**
 * How a migration ended.
 *
 * @param rounds          rounds run, stop-and-copy included
 * @param totalBytesSent  bytes sent over all rounds
 * @param downtimeMillis  how long the VM was paused (0 when it never paused)
 * @param totalTimeMillis from the start of round 1 to the end
 * @param failureReason   root cause when it did not succeed, else null
 * @param driver          which hypervisor driver ran it; "simulated" is labelled as such wherever shown
 */
public record MigrationOutcome(
        int rounds,
        long totalBytesSent,
        long downtimeMillis,
        long totalTimeMillis,
        String failureReason,
        String driver) {
}
