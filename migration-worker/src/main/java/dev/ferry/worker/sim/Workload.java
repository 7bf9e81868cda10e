package dev.ferry.worker.sim;

import java.util.SplittableRandom;

/**
 * How a simulated guest dirties memory: a hot set of pages written at a steady rate. The distinct pages
 * dirtied in a window of t seconds follow the saturating curve hot * (1 - e^(-rate * t / hot)): fast at
 * first, capped by the writable working set, as measured workloads behave (see REFERENCE.md).
 *
 * @param hotPages           pages the guest keeps writing
 * @param dirtyPagesPerSecond page writes per second (before de-duplication)
 */
public record Workload(long hotPages, double dirtyPagesPerSecond) {

    public Workload {
        if (hotPages < 1 || dirtyPagesPerSecond < 0) {
            throw new IllegalArgumentException("hotPages must be >= 1 and dirtyPagesPerSecond >= 0");
        }
    }

    /** Distinct pages dirtied during {@code seconds}. */
    public long distinctPagesDirtied(double seconds) {
        if (seconds <= 0 || dirtyPagesPerSecond == 0) {
            return 0;
        }
        return Math.round(hotPages * -Math.expm1(-dirtyPagesPerSecond * seconds / hotPages));
    }

    /**
     * A web-server-like guest picked from a seed (the VM id), so that one VM behaves the same every time:
     * a hot set of 2-8 % of memory written at 20-60 % of the link's page rate.
     */
    public static Workload typical(long seed, long totalPages, double linkPagesPerSecond) {
        SplittableRandom random = new SplittableRandom(seed);
        double hotShare = 0.02 + 0.06 * random.nextDouble();
        double rateShare = 0.2 + 0.4 * random.nextDouble();
        return new Workload(Math.max(1, Math.round(totalPages * hotShare)), linkPagesPerSecond * rateShare);
    }
}
