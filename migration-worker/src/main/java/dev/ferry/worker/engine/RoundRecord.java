package dev.ferry.worker.engine;

/**
 * What one round did, as the engine measured it. {@code remainingPages} are the pages dirtied while it ran:
 * what the next round (or the stop-and-copy) must send.
 */
public record RoundRecord(int round, long pagesSent, long bytesSent, long zeroPagesSkipped, long pagesDirtied,
        double seconds, double bandwidthBytesPerSecond, long remainingPages, long remainingBytes,
        long expectedDowntimeMillis, int throttlePercent) {

    public double dirtyRatePagesPerSecond() {
        return seconds > 0 ? pagesDirtied / seconds : 0;
    }
}
