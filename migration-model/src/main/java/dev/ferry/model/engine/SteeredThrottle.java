package dev.ferry.model.engine;

/**
 * How a driver steers a hypervisor's own throttle (QEMU's auto-converge) to the policy's figure. The hypervisor
 * applies a figure only at its own check: QEMU at the second of its looks at the guest's writing (at most one a
 * second, at the end of a pass) that finds it writing more than the trigger allows. One rule for the drivers
 * (AutoConverge, in the worker) and for the forecast's model of them (LateThrottle). Pure.
 */
public final class SteeredThrottle {
    /** What auto-converge armed idle applies by itself where the guest outruns the link. */
    static final int IDLE = 1;

    private SteeredThrottle() {
    }

    /**
     * The figure to set when the policy asks for {@code percent}, {@code set} is the figure set last and
     * {@code inForce} the throttle the hypervisor applies now. A throttle in force is only raised: QEMU lowers one only
     * at a later check, and never to nothing; should it have applied one the driver had withdrawn (the two crossed),
     * that one is the floor. Before one is in force, a raise still waiting follows the policy down, to nothing if it
     * asks for none: a guest that calmed down in the second or two a raise waits for (a cycling one) is not throttled
     * on an ask the policy no longer makes. At most 99 %.
     */
    public static int next(int percent, int set, int inForce) {
        int asked = Math.min(99, Math.max(0, percent));
        // nothing set and 1 % in force: auto-converge armed idle throttling by itself (AutoConverge.idle), nothing to keep
        if (inForce <= 0 || set == 0 && inForce <= IDLE) {
            return asked;
        }
        return Math.max(asked, set > 0 ? set : inForce);
    }

    /**
     * The figure to leave when the policy stops: the throttle in force, so that a raise still waiting does not land on
     * the pass the hypervisor runs before it switches over; none where none is in force.
     */
    public static int atStop(int set, int inForce) {
        return Math.max(0, Math.min(set, inForce));
    }
}
