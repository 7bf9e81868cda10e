package dev.ferry.worker.engine;

import java.util.List;

/** Decides after every live round whether to go on, stop and copy, or give up; always says why. */
public interface ConvergencePolicy {

    /** A short name for tables and events. */
    String name();

    /**
     * @param rounds       every round so far, the latest last
     * @param maxDowntimeMillis the operator's downtime target
     * @param currentThrottle throttle in force during the latest round
     */
    Decision decide(List<RoundRecord> rounds, long maxDowntimeMillis, int currentThrottle);
}
