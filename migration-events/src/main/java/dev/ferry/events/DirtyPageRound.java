package dev.ferry.events;

/**
 * What one pre-copy round did. Round 1 sends all memory; each later round sends the pages
 * dirtied during the previous one; the last round ({@code stopAndCopy}) runs with the VM paused.
 *
 * @param round                  1-based round number
 * @param pagesSent              pages sent in this round
 * @param bytesSent              bytes sent in this round
 * @param pagesDirtied           distinct pages the guest dirtied while this round ran
 * @param dirtyRatePagesPerSecond pages dirtied per second during this round
 * @param bandwidthBytesPerSecond effective bandwidth of this round
 * @param durationMillis         how long the round took
 * @param remainingPages         dirty pages still to send after this round
 * @param remainingBytes         bytes still to send after this round
 * @param expectedDowntimeMillis downtime if the VM stopped now: remaining bytes over bandwidth
 * @param throttlePercent        vCPU throttle in force during the round
 * @param decision               what the convergence policy decided after this round
 * @param reason                 why, in words
 * @param stopAndCopy            true for the final round, run with the VM paused
 * @param mode                   PRE_COPY, or POST_COPY for the pull after a post-copy switch-over (null from older
 *                               producers: pre-copy)
 */
public record DirtyPageRound(
        int round,
        long pagesSent,
        long bytesSent,
        long pagesDirtied,
        double dirtyRatePagesPerSecond,
        double bandwidthBytesPerSecond,
        long durationMillis,
        long remainingPages,
        long remainingBytes,
        long expectedDowntimeMillis,
        int throttlePercent,
        String decision,
        String reason,
        boolean stopAndCopy,
        MigrationMode mode) {

    /** A pre-copy round (live, or the stop-and-copy). */
    public DirtyPageRound(int round, long pagesSent, long bytesSent, long pagesDirtied, double dirtyRatePagesPerSecond,
            double bandwidthBytesPerSecond, long durationMillis, long remainingPages, long remainingBytes,
            long expectedDowntimeMillis, int throttlePercent, String decision, String reason, boolean stopAndCopy) {
        this(round, pagesSent, bytesSent, pagesDirtied, dirtyRatePagesPerSecond, bandwidthBytesPerSecond, durationMillis,
                remainingPages, remainingBytes, expectedDowntimeMillis, throttlePercent, decision, reason, stopAndCopy,
                MigrationMode.PRE_COPY);
    }
}
