package dev.ferry.scheduler.model;

/** Who chose a migration's destination. */
public enum TargetChoice {
    /** The operator named the host: if it cannot take the VM any more, the migration fails rather than go elsewhere. */
    OPERATOR,
    /** The scheduler's placement ranking chose it: another compatible host may replace it. */
    PLACEMENT,
    /** An evacuation plan chose it: another compatible host may replace it. */
    EVACUATION,
    /** A rebalance plan chose it: another compatible host may replace it. */
    REBALANCE;

    public boolean replaceable() {
        return this != OPERATOR;
    }
}
