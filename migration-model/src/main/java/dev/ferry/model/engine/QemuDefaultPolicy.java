package dev.ferry.model.engine;

import java.util.List;

/**
 * QEMU's default rule (migration/migration.c): stop and copy when the pending bytes fit in bandwidth x
 * downtime-limit; no round cap, so a guest that dirties faster than the link never finishes. The engine
 * bounds that with its own round cap and reports it.
 */
public final class QemuDefaultPolicy implements ConvergencePolicy {

    @Override
    public String name() {
        return "qemu-default";
    }

    /** QEMU's threshold_size: what may still be pending when it switches over (and, passing, when it syncs). */
    static double thresholdBytes(double bandwidthBytesPerSecond, long maxDowntimeMillis) {
        return bandwidthBytesPerSecond * maxDowntimeMillis / 1000.0;
    }

    @Override
    public Decision decide(List<RoundRecord> rounds, MigrationContext context) {
        RoundRecord last = ConvergencePolicy.last(rounds);
        double threshold = thresholdBytes(last.bandwidthBytesPerSecond(), context.maxDowntimeMillis());
        if (last.remainingBytes() <= threshold) {
            return Decision.stop(String.format("pending %d bytes <= bandwidth x downtime-limit (%.0f bytes)",
                    last.remainingBytes(), threshold));
        }
        return Decision.proceed(0, String.format("pending %d bytes > bandwidth x downtime-limit (%.0f bytes)",
                last.remainingBytes(), threshold));
    }
}
