package dev.ferry.model.forecast;

/**
 * What a migration is expected to take, and on what the expectation rests.
 *
 * @param rounds          live rounds plus the stop-and-copy (or the post-copy pull)
 * @param totalTimeMillis from round 1 to the switch-over
 * @param downtimeMillis  the pause at the switch-over
 * @param bytesSent       over all rounds
 * @param converges       false when the policy is expected to give up (the VM would stay on the source)
 * @param policy          the convergence policy the forecast ran
 * @param basis           where the dirty rate came from, in words
 * @param reason          the policy's last decision, in its words: why it would stop, give up or post-copy
 * @param throttleSeconds what the throttle would cost the guest (see {@code MigrationResult#throttleSeconds})
 */
public record Forecast(int rounds, long totalTimeMillis, long downtimeMillis, long bytesSent, boolean converges,
        String policy, String basis, String reason, double throttleSeconds) {
}
