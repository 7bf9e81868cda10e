package dev.ferry.model.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * KubeVirt (pkg/virt-config/virt-config.go, pkg/virt-launcher/virtwrap/stall-detector.go). QEMU's stop rule runs
 * underneath with the operator's downtime target. KubeVirt aborts when the remaining data has made no progress
 * for 150 s, or after 150 s per GiB. The stall detector calls it a stall when the remaining data is still at
 * least 96 % of the lowest value seen before the last 40 s; it estimates downtime as remaining over an EWMA of
 * the bandwidth (alpha 0.4) and acts only at a local minimum of the remaining data: post-copy when allowed,
 * else stop-and-copy when the estimate is within 1.5x the downtime target, else abort. One instance per migration.
 */
public final class KubeVirtPolicy implements ConvergencePolicy {
    static final double PROGRESS_TIMEOUT_SECONDS = 150;
    static final double COMPLETION_TIMEOUT_SECONDS_PER_GIB = 150;
    static final double STALL_WINDOW_SECONDS = 40;
    static final double STALL_SHARE = 0.96;
    static final double EWMA_ALPHA = 0.4;
    static final double SOFT_STOP_FACTOR = 1.5;

    private final QemuDefaultPolicy stopRule = new QemuDefaultPolicy();
    private final List<double[]> samples = new ArrayList<>(); // {time at round end, remaining bytes}
    private double ewmaBandwidth;
    private double lowestRemaining = Double.MAX_VALUE;
    private double lowestAt;

    @Override
    public String name() {
        return "kubevirt";
    }

    @Override
    public Decision decide(List<RoundRecord> rounds, MigrationContext context) {
        RoundRecord last = ConvergencePolicy.last(rounds);
        double now = ConvergencePolicy.elapsed(rounds);
        double remaining = last.remainingBytes();
        ewmaBandwidth = ewmaBandwidth == 0 ? last.bandwidthBytesPerSecond()
                : EWMA_ALPHA * last.bandwidthBytesPerSecond() + (1 - EWMA_ALPHA) * ewmaBandwidth;
        samples.add(new double[] {now, remaining});
        if (remaining < lowestRemaining) {
            lowestRemaining = remaining;
            lowestAt = now;
        }

        Decision stop = stopRule.decide(rounds, context);
        if (stop.action() == Decision.Action.STOP_AND_COPY) {
            return stop;
        }
        double gib = Math.max(1.0, context.memoryBytes() / (double) (1L << 30));
        if (now > COMPLETION_TIMEOUT_SECONDS_PER_GIB * gib) {
            return Decision.abort(String.format("%.0f s > completion timeout of 150 s per GiB (%.0f s)", now,
                    COMPLETION_TIMEOUT_SECONDS_PER_GIB * gib));
        }
        if (now - lowestAt > PROGRESS_TIMEOUT_SECONDS) {
            return Decision.abort(String.format("no progress for %.0f s (progress timeout 150 s)", now - lowestAt));
        }
        double estimateMillis = remaining / ewmaBandwidth * 1000;
        if (stalled(now, remaining) && localMinimum(rounds)) {
            if (context.limits().postCopyAllowed()) {
                return Decision.postCopy(String.format("stalled at %.0f MB remaining: switch to post-copy", remaining / 1e6));
            }
            if (estimateMillis <= SOFT_STOP_FACTOR * context.maxDowntimeMillis()) {
                return Decision.stop(String.format("stalled; estimated downtime %.0f ms within 1.5x the target", estimateMillis));
            }
            return Decision.abort(String.format("stalled; estimated downtime %.0f ms above 1.5x the %d ms target",
                    estimateMillis, context.maxDowntimeMillis()));
        }
        return Decision.proceed(0, stop.reason());
    }

    /** Remaining still >= 96 % of the lowest value seen before the last 40 s. */
    private boolean stalled(double now, double remaining) {
        double lowestBefore = samples.stream().filter(s -> s[0] <= now - STALL_WINDOW_SECONDS)
                .mapToDouble(s -> s[1]).min().orElse(Double.NaN);
        return !Double.isNaN(lowestBefore) && remaining >= STALL_SHARE * lowestBefore;
    }

    private static boolean localMinimum(List<RoundRecord> rounds) {
        if (rounds.size() < 2) {
            return false;
        }
        return ConvergencePolicy.last(rounds).remainingBytes() <= rounds.get(rounds.size() - 2).remainingBytes();
    }
}
