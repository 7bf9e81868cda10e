package dev.ferry.model.engine;

/** What a policy knows about the migration besides its rounds: the guest's size and the operator's limits. */
public record MigrationContext(long memoryBytes, MigrationLimits limits, double bandwidthBytesPerSecond,
        double roundOverheadSeconds) {

    /** The context of a migration of {@code memoryBytes} over {@code link} under the operator's {@code limits}. */
    public static MigrationContext of(long memoryBytes, Link link, MigrationLimits limits) {
        return new MigrationContext(memoryBytes, limits, link.effectiveBandwidth(limits), link.roundOverheadSeconds());
    }

    /**
     * The same migration held to the share of the links the scheduler gave it (another migration shares its source's
     * outbound or its destination's inbound bandwidth): never more than this context's own bandwidth.
     *
     * @param capBytesPerSecond the share; 0: none, the whole link
     */
    public MigrationContext sharing(long capBytesPerSecond) {
        return capBytesPerSecond <= 0 || capBytesPerSecond >= bandwidthBytesPerSecond ? this
                : new MigrationContext(memoryBytes, limits, capBytesPerSecond, roundOverheadSeconds);
    }

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
