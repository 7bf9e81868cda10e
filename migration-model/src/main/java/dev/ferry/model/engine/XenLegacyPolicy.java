package dev.ferry.model.engine;

import java.util.List;

/**
 * Xen's legacy save loop (tools/libxc/xc_domain_save.c, Xen <= 4.5): stop and copy after round 29, when a round
 * sent and skipped fewer than 50 pages, or when more than 3x memory has been sent. It skips pages dirtied again
 * during the round that would send them (except in round 1 and the final copy): they go out next round anyway.
 */
public final class XenLegacyPolicy implements ConvergencePolicy {
    static final int MAX_ROUNDS = 29;
    static final long MIN_PAGES = 50;
    static final double MAX_FACTOR = 3.0;

    @Override
    public String name() {
        return "xen-legacy";
    }

    @Override
    public boolean skipsRedirtiedPages() {
        return true;
    }

    @Override
    public Decision decide(List<RoundRecord> rounds, MigrationContext context) {
        RoundRecord last = ConvergencePolicy.last(rounds);
        long sentAndSkipped = last.pagesSent() + last.pagesSkipped();
        long total = rounds.stream().mapToLong(RoundRecord::bytesSent).sum();
        if (last.round() > 1 && sentAndSkipped < MIN_PAGES) {
            return Decision.stop(sentAndSkipped + " pages sent and skipped in round " + last.round() + " < " + MIN_PAGES);
        }
        if (last.round() >= MAX_ROUNDS) {
            return Decision.stop("round " + last.round() + " reached Xen legacy's cap of " + MAX_ROUNDS);
        }
        if (total > MAX_FACTOR * context.memoryBytes()) {
            return Decision.stop(String.format("%.2fx memory sent > %.0fx", total / (double) context.memoryBytes(), MAX_FACTOR));
        }
        return Decision.proceed(0, String.format("%d pages sent, %d skipped in round %d of %d", last.pagesSent(),
                last.pagesSkipped(), last.round(), MAX_ROUNDS));
    }
}
