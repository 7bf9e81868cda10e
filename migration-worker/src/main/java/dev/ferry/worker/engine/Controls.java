package dev.ferry.worker.engine;

/** What an operator can ask of a running migration; the engine looks before and after every round. */
public interface Controls {

    boolean cancelRequested();

    /** Stop and copy after the current round, whatever remains (never before round 1 has run). */
    boolean forceCompleteRequested();

    /** Reports each round as it finishes, with the policy's decision. */
    default void roundCompleted(RoundRecord round) { }

    /** Cancels when the supplier says so (asked before and after every round); never forces completion. */
    static Controls cancelWhen(java.util.function.BooleanSupplier cancel) {
        return new Controls() {
            @Override
            public boolean cancelRequested() {
                return cancel.getAsBoolean();
            }

            @Override
            public boolean forceCompleteRequested() {
                return false;
            }
        };
    }

    Controls NONE = new Controls() {
        @Override
        public boolean cancelRequested() {
            return false;
        }

        @Override
        public boolean forceCompleteRequested() {
            return false;
        }
    };
}
