package dev.ferry.model.engine;

/**
 * The migration link between two hosts: its bandwidth and the fixed cost of each round (dirty-bitmap sync and
 * the round trip that starts the round), which is what makes many tiny rounds a bad deal.
 */
public record Link(double bandwidthBytesPerSecond, double roundOverheadSeconds) {

    public Link {
        if (!(bandwidthBytesPerSecond > 0) || roundOverheadSeconds < 0) {
            throw new IllegalArgumentException("link bandwidth must be > 0 and round overhead >= 0");
        }
    }

    /** Bitmap sync plus the round trip that starts a round, on a data-centre link. */
    public static final double ROUND_OVERHEAD_SECONDS = 0.002;

    /** A link of this bandwidth with the usual per-round overhead. */
    public static Link of(double bandwidthBytesPerSecond) {
        return new Link(bandwidthBytesPerSecond, ROUND_OVERHEAD_SECONDS);
    }

    /** A 10 GbE link: 1.25 GB/s, 2 ms per round. */
    public static Link tenGigabit() {
        return of(1.25e9);
    }

    /** What the migration may use: the link, or the operator's cap when that is lower. */
    public double effectiveBandwidth(MigrationLimits limits) {
        long cap = limits.maxBandwidthBytesPerSecond();
        return cap > 0 ? Math.min(cap, bandwidthBytesPerSecond) : bandwidthBytesPerSecond;
    }
}
