package dev.ferry.model.forecast;

import dev.ferry.model.engine.Hypervisor;
import dev.ferry.model.engine.SteeredThrottle;
import java.util.BitSet;

/**
 * A hypervisor whose throttle comes into force some time after it is raised, as QEMU's does: auto-converge looks at
 * the guest's writing at most once a second, at a bitmap sync, and applies a new figure at the second look that finds
 * the guest writing. The real-guest suite shows the gap: a throttle asked at the end of a pass was in force 0.4 to
 * 1.5 s later (run 5's rounds). This keeps one figure for it, the lag, counted from the first raise still waiting (a
 * model of the looks themselves was tried, and forecast worse: docs/benchmarks/README.md). The engine asks; this
 * decides when the guest feels it. With a lag the figure is the one the drivers would set ({@link SteeredThrottle}):
 * a throttle in force is only raised, and a raise still waiting follows the policy's figure down, to nothing if the
 * policy asks for none: the raise is then cancelled. Without a lag, a lower throttle applies at once, as the
 * simulator's engine does.
 */
final class LateThrottle implements Hypervisor {
    private final Hypervisor inner;
    private final double lagSeconds;
    /** The guest's running time so far: the clock the lag is counted on. */
    private double clock;
    private int asked;
    private double askedAt;
    private int inForce;

    LateThrottle(Hypervisor inner, double lagSeconds) {
        if (!(lagSeconds >= 0)) {
            throw new IllegalArgumentException("a throttle's lag is a time >= 0, not " + lagSeconds);
        }
        this.inner = inner;
        this.lagSeconds = lagSeconds;
    }

    @Override
    public int throttleInForce(int asked) {
        return inForce;
    }

    /** The throttle the guest runs under now. */
    int inForce() {
        return inForce;
    }

    @Override
    public void runGuest(double seconds, int throttlePercent) {
        if (lagSeconds > 0) {
            throttlePercent = SteeredThrottle.next(throttlePercent, asked, inForce); // as the drivers set it
        }
        if (throttlePercent != asked) {
            // a raise waits for the hypervisor's next look, counted from the first raise still waiting: QEMU applies
            // whatever is set when it looks, so a later raise does not put an earlier one off
            if (throttlePercent > inForce && asked <= inForce) {
                askedAt = clock;
            }
            asked = throttlePercent;
            inForce = Math.min(inForce, asked);
        }
        double left = seconds;
        if (asked > inForce) {
            double wait = Math.max(0, askedAt + lagSeconds - clock);
            double before = Math.min(left, wait);
            if (before > 0) {
                inner.runGuest(before, inForce);
                clock += before;
                left -= before;
            }
            if (before >= wait) {
                inForce = asked; // the lag has passed within this run, or ends with it
            }
        }
        if (left > 0) {
            inner.runGuest(left, inForce);
            clock += left;
        }
    }

    @Override
    public int pages() {
        return inner.pages();
    }

    @Override
    public boolean isZeroPage(int page) {
        return inner.isZeroPage(page);
    }

    @Override
    public boolean isDirty(int page) {
        return inner.isDirty(page);
    }

    @Override
    public long dirtyCount() {
        return inner.dirtyCount();
    }

    @Override
    public BitSet syncDirtyBitmap() {
        return inner.syncDirtyBitmap();
    }

    @Override
    public void copyToDestination(int page) {
        inner.copyToDestination(page);
    }

    @Override
    public void pauseOnSource() {
        inner.pauseOnSource();
    }

    @Override
    public void resumeOnDestination() {
        inner.resumeOnDestination();
    }

    @Override
    public void resumeOnSource() {
        inner.resumeOnSource();
    }

    @Override
    public GuestLocation location() {
        return inner.location();
    }
}
