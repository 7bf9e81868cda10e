package dev.ferry.model.engine;

/**
 * The worker lost its right to act on the hypervisor for this migration (its claim lapsed or was refused: another
 * worker may own it now). The driver stops at once and touches nothing more: no cancel, no switch-over, no report.
 */
public class FencedException extends RuntimeException {
    public FencedException(String message) {
        super(message);
    }
}
