package dev.ferry.worker.engine;

/** What a convergence policy decided after a round, and why in words. */
public record Decision(Action action, int throttlePercent, String reason) {

    /** The choices a policy has after each round. */
    public enum Action {
        /** Another live round. */
        CONTINUE,
        /** Pause and copy what remains. */
        STOP_AND_COPY,
        /** Give up cleanly: the guest stays on the source. */
        ABORT
    }

    public static Decision proceed(int throttlePercent, String reason) {
        return new Decision(Action.CONTINUE, throttlePercent, reason);
    }

    public static Decision stop(String reason) {
        return new Decision(Action.STOP_AND_COPY, 0, reason);
    }

    public static Decision abort(String reason) {
        return new Decision(Action.ABORT, 0, reason);
    }
}
