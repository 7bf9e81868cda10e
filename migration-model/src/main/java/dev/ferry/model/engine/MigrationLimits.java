package dev.ferry.model.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * What the operator allows one migration: the downtime target, a bandwidth cap, how hard the guest's vCPUs
 * may be throttled, whether post-copy may be used, and a deadline after which the migration must have ended
 * (succeeded or given up, never still running).
 *
 * @param maxDowntimeMillis          the downtime target (QEMU's downtime-limit)
 * @param maxBandwidthBytesPerSecond cap on the migration stream, 0 for the link's full speed
 * @param maxThrottlePercent         0 forbids throttling; QEMU's own ceiling is 99
 * @param postCopyAllowed            post-copy hands the guest over early; if the link fails then, the guest is lost
 * @param deadlineSeconds            the migration ends by then, measured from round 1
 */
public record MigrationLimits(long maxDowntimeMillis, long maxBandwidthBytesPerSecond, int maxThrottlePercent,
        boolean postCopyAllowed, double deadlineSeconds) {

    public MigrationLimits {
        if (maxDowntimeMillis <= 0) {
            throw new IllegalArgumentException("the downtime target must be > 0 ms, was " + maxDowntimeMillis);
        }
        if (maxBandwidthBytesPerSecond < 0) {
            throw new IllegalArgumentException("the bandwidth cap must be >= 0 (0: none), was " + maxBandwidthBytesPerSecond);
        }
        if (maxThrottlePercent < 0 || maxThrottlePercent > 99) {
            throw new IllegalArgumentException("the throttle ceiling must be 0..99 %, was " + maxThrottlePercent);
        }
        if (!(deadlineSeconds > 0)) {
            throw new IllegalArgumentException("the deadline must be > 0 s, was " + deadlineSeconds);
        }
    }

    /** A migration without a deadline still ends: after this long the policy gives up (or post-copies). */
    public static final Duration NO_DEADLINE = Duration.ofHours(1);

    /**
     * What one request allows, as the engine reads it: the scheduler forecasts with it and the worker runs with it,
     * so both see the same limits.
     *
     * @param throttleCeilingPercent the request's ceiling, or null for {@code defaultCeilingPercent}
     * @param deadline               when the migration must be over, or null for {@link #NO_DEADLINE} from now
     */
    public static MigrationLimits requested(long maxDowntimeMillis, Integer throttleCeilingPercent, int defaultCeilingPercent,
            boolean postCopyAllowed, Instant deadline, Instant now) {
        int ceiling = throttleCeilingPercent != null ? throttleCeilingPercent : defaultCeilingPercent;
        // a deadline already passed still makes limits: the engine ends such a migration at once
        double deadlineSeconds = deadline == null ? NO_DEADLINE.toSeconds()
                : Math.max(0.001, Duration.between(now, deadline).toMillis() / 1000.0);
        return new MigrationLimits(maxDowntimeMillis, 0, ceiling, postCopyAllowed, deadlineSeconds);
    }

    /** QEMU's defaults as an operator would leave them: 300 ms, no cap, throttling allowed, no post-copy, an hour. */
    public static MigrationLimits defaults(long maxDowntimeMillis) {
        return new MigrationLimits(maxDowntimeMillis, 0, 99, false, NO_DEADLINE.toSeconds());
    }

    public MigrationLimits withMaxDowntime(long millis) {
        return new MigrationLimits(millis, maxBandwidthBytesPerSecond, maxThrottlePercent, postCopyAllowed, deadlineSeconds);
    }

    public MigrationLimits withPostCopy(boolean allowed) {
        return new MigrationLimits(maxDowntimeMillis, maxBandwidthBytesPerSecond, maxThrottlePercent, allowed, deadlineSeconds);
    }

    public MigrationLimits withMaxThrottle(int percent) {
        return new MigrationLimits(maxDowntimeMillis, maxBandwidthBytesPerSecond, percent, postCopyAllowed, deadlineSeconds);
    }

    public MigrationLimits withBandwidthCap(long bytesPerSecond) {
        return new MigrationLimits(maxDowntimeMillis, bytesPerSecond, maxThrottlePercent, postCopyAllowed, deadlineSeconds);
    }

    /**
     * These limits with the rounds held to {@code share} of the link (the scheduler's share when others use the same
     * link) as well as to the operator's own cap, whichever is lower. A share is a cap on the rounds: the paused final
     * copy goes at the link's own speed whatever the cap ({@link PreCopyEngine}).
     */
    public MigrationLimits heldTo(double share) {
        long cap = Math.max(1, Math.round(share));
        return withBandwidthCap(maxBandwidthBytesPerSecond > 0 ? Math.min(maxBandwidthBytesPerSecond, cap) : cap);
    }

    public MigrationLimits withDeadline(double seconds) {
        return new MigrationLimits(maxDowntimeMillis, maxBandwidthBytesPerSecond, maxThrottlePercent, postCopyAllowed, seconds);
    }
}
