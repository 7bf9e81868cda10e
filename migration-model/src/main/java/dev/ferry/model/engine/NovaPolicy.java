package dev.ferry.model.engine;

import java.util.List;

/**
 * Nova's libvirt driver (nova/virt/libvirt/migration.py, nova/conf/libvirt.py): the downtime limit steps
 * from 50 ms up to 500 ms in 10 steps, step i applying after 75 s x i x the data in GiB; QEMU's stop rule
 * applies with the limit in force; the migration is aborted after 800 s per GiB (completion timeout).
 */
public final class NovaPolicy implements ConvergencePolicy {
    static final long MAX_DOWNTIME_MILLIS = 500;
    static final int STEPS = 10;
    static final double STEP_DELAY_SECONDS_PER_GIB = 75;
    static final double COMPLETION_TIMEOUT_SECONDS_PER_GIB = 800;
    private final double dataGib;

    /** @param memoryBytes the guest's memory: Nova scales its delays by it */
    public NovaPolicy(long memoryBytes) {
        this.dataGib = Math.max(1.0, memoryBytes / (double) (1L << 30));
    }

    @Override
    public String name() {
        return "nova";
    }

    /** Nova's downtime_steps: (delay x i, base + offset x i) with base = max / steps. */
    long downtimeLimitAfter(double elapsedSeconds) {
        double delay = STEP_DELAY_SECONDS_PER_GIB * dataGib;
        double base = (double) MAX_DOWNTIME_MILLIS / STEPS;
        double offset = (MAX_DOWNTIME_MILLIS - base) / STEPS;
        int step = (int) Math.min(STEPS, Math.floor(elapsedSeconds / delay));
        return Math.round(base + offset * step);
    }

    @Override
    public Decision decide(List<RoundRecord> rounds, MigrationContext context) {
        double elapsed = ConvergencePolicy.elapsed(rounds);
        if (elapsed > COMPLETION_TIMEOUT_SECONDS_PER_GIB * dataGib) {
            return Decision.abort(String.format("%.0f s > completion timeout of 800 s per GiB (%.0f s)", elapsed,
                    COMPLETION_TIMEOUT_SECONDS_PER_GIB * dataGib));
        }
        RoundRecord last = ConvergencePolicy.last(rounds);
        long limit = downtimeLimitAfter(elapsed);
        double threshold = last.bandwidthBytesPerSecond() * limit / 1000.0;
        if (last.remainingBytes() <= threshold) {
            return Decision.stop(String.format("pending %d bytes fit the stepped downtime limit of %d ms", last.remainingBytes(), limit));
        }
        return Decision.proceed(0, String.format("pending %d bytes exceed the stepped downtime limit of %d ms after %.0f s",
                last.remainingBytes(), limit, elapsed));
    }
}
