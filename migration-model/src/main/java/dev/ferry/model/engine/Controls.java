package dev.ferry.model.engine;

/**
 * What an operator can ask of a running migration; the engine looks before and after every round. By default nobody
 * asks anything: an implementation overrides what it offers.
 */
public interface Controls {

    default boolean cancelRequested() {
        return false;
    }

    /**
     * Whether this worker has lost the right to act for the migration. A driver asks before every action on the
     * hypervisor and, when fenced, throws {@link FencedException} instead of acting.
     */
    default boolean fenced() {
        return false;
    }

    /** Throws {@link FencedException} when {@link #fenced()}: call it right before acting on the hypervisor. */
    default void requireClaim(String action) {
        if (fenced()) {
            throw new FencedException("claim lost: not " + action);
        }
    }

    /** Stop and copy after the current round, whatever remains (never before round 1 has run). */
    default boolean forceCompleteRequested() {
        return false;
    }

    /**
     * The migration's share of the links it crosses, when the scheduler has capped it (other migrations share the
     * source's outbound or the destination's inbound bandwidth); 0: no cap. Read before every round, so a new share
     * applies from the next round on.
     */
    default long bandwidthCapBytesPerSecond() {
        return 0;
    }

    /**
     * Called when a round's copy is done, before the policy decides: where the hypervisor runs in virtual time,
     * this is where a caller lets the round's time pass (and a cancel or force-complete arrive meanwhile).
     */
    default void pace(RoundRecord round) { }

    /** Reports each round as it finishes, with the policy's decision. */
    default void roundCompleted(RoundRecord round) { }

    /** Cancels when the supplier says so (asked before and after every round); never forces completion. */
    static Controls cancelWhen(java.util.function.BooleanSupplier cancel) {
        return new Controls() {
            @Override
            public boolean cancelRequested() {
                return cancel.getAsBoolean();
            }
        };
    }

    /** Nobody asks anything: the migration runs to its end. */
    Controls NONE = new Controls() { };
}
