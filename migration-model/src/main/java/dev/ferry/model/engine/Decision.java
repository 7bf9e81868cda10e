package dev.ferry.model.engine;

/** What a convergence policy decided after a round, and why in words. */
public record Decision(Action action, int throttlePercent, String reason) {

    /** The choices a policy has after each live round. */
    public enum Action {
        /** Another live round, at the given throttle. */
        CONTINUE,
        /** Pause and copy what remains. */
        STOP_AND_COPY,
        /** Hand the guest over now and pull the remaining pages afterwards (only where the operator allowed it). */
        POST_COPY,
        /** Give up cleanly: the guest stays on the source. */
        ABORT
    }

    public static Decision proceed(int throttlePercent, String reason) {
        return new Decision(Action.CONTINUE, throttlePercent, reason);
    }

    public static Decision stop(String reason) {
        return new Decision(Action.STOP_AND_COPY, 0, reason);
    }

    public static Decision postCopy(String reason) {
        return new Decision(Action.POST_COPY, 0, reason);
    }

    public static Decision abort(String reason) {
        return new Decision(Action.ABORT, 0, reason);
    }
}
