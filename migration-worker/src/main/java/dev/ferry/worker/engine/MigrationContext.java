package dev.ferry.worker.engine;

/** What a policy knows about the migration besides its rounds: the guest's size and the operator's limits. */
public record MigrationContext(long memoryBytes, MigrationLimits limits, double bandwidthBytesPerSecond,
        double roundOverheadSeconds) {

    public long maxDowntimeMillis() {
        return limits.maxDowntimeMillis();
    }

    public long pages() {
        return memoryBytes / PreCopyEngine.PAGE_SIZE;
    }

    /** The physical lower bound of total time: every page once over the link (zero pages ignored). */
    public double lowerBoundSeconds() {
        return memoryBytes / bandwidthBytesPerSecond;
    }
}
