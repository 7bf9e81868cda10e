package dev.ferry.model.engine;

import java.util.List;

/**
 * Xen's migration v2 simple_precopy_policy (tools/libs/guest/xg_sr_save.c): live rounds until fewer than
 * 50 pages are dirty or 5 rounds have run, then stop and copy, whatever the downtime.
 */
public final class XenPolicy implements ConvergencePolicy {
    static final int MAX_ROUNDS = 5;
    static final long DIRTY_THRESHOLD_PAGES = 50;

    @Override
    public String name() {
        return "xen";
    }

    @Override
    public Decision decide(List<RoundRecord> rounds, MigrationContext context) {
        RoundRecord last = ConvergencePolicy.last(rounds);
        if (last.remainingPages() < DIRTY_THRESHOLD_PAGES) {
            return Decision.stop(last.remainingPages() + " dirty pages < " + DIRTY_THRESHOLD_PAGES);
        }
        if (last.round() >= MAX_ROUNDS) {
            return Decision.stop("round " + last.round() + " reached Xen's cap of " + MAX_ROUNDS);
        }
        return Decision.proceed(0, last.remainingPages() + " dirty pages, round " + last.round() + " of " + MAX_ROUNDS);
    }
}
