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
 * @param mode            how it ended: PRE_COPY, or POST_COPY when the VM was handed over early (null: pre-copy)
 * @param abortStatus     what came of an operator's cancel: NONE, SUCCEEDED (the VM stayed on the source) or FAILED
 *                        (too late: it runs on the destination); null from older producers: NONE
 */
public record MigrationOutcome(
        int rounds,
        long totalBytesSent,
        long downtimeMillis,
        long totalTimeMillis,
        String failureReason,
        String driver,
        MigrationMode mode,
        AbortStatus abortStatus) {

    /** An outcome in pre-copy that nobody tried to cancel. */
    public MigrationOutcome(int rounds, long totalBytesSent, long downtimeMillis, long totalTimeMillis, String failureReason,
            String driver) {
        this(rounds, totalBytesSent, downtimeMillis, totalTimeMillis, failureReason, driver, MigrationMode.PRE_COPY, AbortStatus.NONE);
    }
}
