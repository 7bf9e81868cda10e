package dev.ferry.scheduler.plan;

/**
 * What a migration is expected to take, and on what the expectation rests.
 *
 * @param rounds          live rounds plus the stop-and-copy
 * @param totalTimeMillis from round 1 to the switch-over
 * @param downtimeMillis  the pause at the switch-over
 * @param bytesSent       over all rounds
 * @param converges       false when the dirty rate outruns the link and only the round cap ends it
 * @param basis           where the dirty rate came from, in words
 */
public record Forecast(int rounds, long totalTimeMillis, long downtimeMillis, long bytesSent, boolean converges, String basis) {
}
