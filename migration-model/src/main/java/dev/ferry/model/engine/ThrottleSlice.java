package dev.ferry.model.engine;

/**
 * How a vCPU throttle stops the guest: not by slowing it evenly but by putting each vCPU to sleep for a slice at a
 * time. QEMU (system/cpu-throttle.c, also what libvirt drives) runs a vCPU for 10 ms, then sleeps it for
 * pct / (1 - pct) x 10 ms: 90 ms at 90 %, 990 ms at 99 %. To the guest's users each slice is a pause like the
 * switch-over's, so a throttle whose slice is longer than the downtime target breaks the target it is meant to
 * reach. And the switch-over can land on a slice: the real-guest suite saw a 1,004 ms pause where the policy stopped
 * at 99 % (docs/POLICY.md).
 *
 * <p>Ferry's policy therefore keeps its throttle to the slices that fit half the target, the same margin it aims the
 * throttled rounds at, so that a slice and the stop-and-copy together stay within the target. Pure.
 */
public final class ThrottleSlice {
    /** QEMU's CPU_THROTTLE_TIMESLICE_NS: the vCPU's run between two sleeps. */
    static final double RUN_MILLIS = 10;

    private ThrottleSlice() {
    }

    /** How long one sleep of a vCPU lasts at {@code percent} (0 for no throttle). */
    public static double millis(int percent) {
        if (percent < 0 || percent > 99) {
            throw new IllegalArgumentException("a throttle is 0..99 %, was " + percent);
        }
        // in whole numbers first, as ceilingFor does: 80 % sleeps exactly 40 ms, not 40.00000000000001
        return percent * RUN_MILLIS / (100 - percent);
    }

    /**
     * The highest throttle, at most 99 %, whose sleeps last at most half of {@code targetMillis}: 93 % for a 300 ms
     * target (133 ms sleeps), 83 % for 100 ms, 4 % for 1 ms.
     */
    public static int ceilingFor(long targetMillis) {
        if (targetMillis <= 0) {
            throw new IllegalArgumentException("the downtime target must be > 0 ms, was " + targetMillis);
        }
        for (int percent = 99; percent > 0; percent--) {
            // pct / (100 - pct) x 10 ms <= target / 2, in whole numbers: at 80 ms, 80 % sleeps exactly 40 ms
            if (20L * percent <= targetMillis * (100 - percent)) {
                return percent;
            }
        }
        return 0;
    }
}
