package dev.ferry.model.engine;

import java.util.List;

/**
 * Decides after every live round whether to go on (and at which throttle), stop and copy, switch to post-copy
 * or give up; always says why. Policies may keep state across rounds: one instance per migration.
 */
public interface ConvergencePolicy {

    /** A short name for tables and events. */
    String name();

    /**
     * @param rounds  every live round so far, the latest last; its throttle is the one in force
     * @param context the guest's size, the link and the operator's limits
     */
    Decision decide(List<RoundRecord> rounds, MigrationContext context);

    /**
     * True for a policy that stands for the hypervisor's own throttle (QEMU's auto-converge): QEMU applies it at the
     * very check that decides it. A policy a driver steers is felt only at the hypervisor's next check.
     */
    default boolean throttlesAtTheHypervisorsCheck() {
        return false;
    }

    /** Xen legacy skips pages dirtied again during the round it is sending them in: they go next round anyway. */
    default boolean skipsRedirtiedPages() {
        return false;
    }

    /** Seconds of all live rounds so far. */
    static double elapsed(List<RoundRecord> rounds) {
        return rounds.stream().mapToDouble(RoundRecord::seconds).sum();
    }

    static RoundRecord last(List<RoundRecord> rounds) {
        return rounds.get(rounds.size() - 1);
    }
}
