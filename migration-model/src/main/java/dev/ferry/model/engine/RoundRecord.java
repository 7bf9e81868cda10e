package dev.ferry.model.engine;

/**
 * What one round did, as the engine measured it. {@code remainingPages} are the pages dirty at its end: what
 * the next round (or the stop-and-copy) must send. The decision is the policy's, taken after the round (null
 * for the stop-and-copy and the post-copy phase).
 */
public record RoundRecord(int round, Kind kind, long pagesSent, long bytesSent, long zeroPages, long pagesSkipped,
        long pagesDirtied, double seconds, double bandwidthBytesPerSecond, long remainingPages, long remainingBytes,
        long expectedDowntimeMillis, int throttlePercent, Sample earlySample, Decision decision) {

    /**
     * The dirty pages counted early in a long round, without resetting the bitmap: a second, short window on the
     * dirty curve that costs nothing (QEMU refreshes its dirty-pages-rate about once a second the same way).
     */
    public record Sample(double seconds, long pages) {
    }

    /** Live pre-copy round, the paused final copy, or the background pull after a post-copy switch-over. */
    public enum Kind { LIVE, STOP_AND_COPY, POST_COPY }

    public double dirtyRatePagesPerSecond() {
        return seconds > 0 ? pagesDirtied / seconds : 0;
    }

    /** The same round with the policy's decision attached. */
    public RoundRecord decided(Decision d) {
        return new RoundRecord(round, kind, pagesSent, bytesSent, zeroPages, pagesSkipped, pagesDirtied, seconds,
                bandwidthBytesPerSecond, remainingPages, remainingBytes, expectedDowntimeMillis, throttlePercent, earlySample, d);
    }
}
