package dev.ferry.model.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.model.engine.Hypervisor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class LateThrottleTest {
    /** A hypervisor that only records how long the guest ran under which throttle. */
    static final class Recording implements Hypervisor {
        final List<double[]> ran = new ArrayList<>();

        /** Seconds the guest ran at {@code percent}. */
        double secondsAt(int percent) {
            return ran.stream().filter(r -> r[1] == percent).mapToDouble(r -> r[0]).sum();
        }

        @Override
        public void runGuest(double seconds, int throttlePercent) {
            ran.add(new double[] {seconds, throttlePercent});
        }

        @Override
        public int pages() {
            return 1;
        }

        @Override
        public boolean isZeroPage(int page) {
            return false;
        }

        @Override
        public boolean isDirty(int page) {
            return false;
        }

        @Override
        public long dirtyCount() {
            return 0;
        }

        @Override
        public BitSet syncDirtyBitmap() {
            return new BitSet();
        }

        @Override
        public void copyToDestination(int page) {
        }

        @Override
        public void pauseOnSource() {
        }

        @Override
        public void resumeOnDestination() {
        }

        @Override
        public void resumeOnSource() {
        }

        @Override
        public GuestLocation location() {
            return GuestLocation.RUNNING_ON_SOURCE;
        }
    }

    @Test
    void aRaisedThrottleIsFeltOnlyOnceItsLagHasPassedEvenAcrossSlices() {
        var inner = new Recording();
        var late = new LateThrottle(inner, 1.0);

        late.runGuest(2.0, 0);
        for (int i = 0; i < 6; i++) {
            late.runGuest(0.3, 60); // asked at 2.0 s: felt from 3.0 s, in the middle of the fourth slice
        }

        assertThat(inner.secondsAt(0)).isCloseTo(3.0, within(1e-9));
        assertThat(inner.secondsAt(60)).isCloseTo(0.8, within(1e-9));
        assertThat(late.inForce()).isEqualTo(60);
    }

    /** QEMU applies whatever is set when it looks: a raise made while another waits does not put the first off. */
    @Test
    void raisesWhileOneIsWaitingAreFeltWhenTheFirstWouldHaveBeen() {
        var inner = new Recording();
        var late = new LateThrottle(inner, 1.0);

        late.runGuest(0.5, 30); // asked at 0 s
        late.runGuest(0.5, 60); // asked while 30 waits: both are felt at 1 s, as 60
        assertThat(late.throttleInForce(60)).isEqualTo(60);
        late.runGuest(0.5, 90); // a new raise once nothing waits: felt at 2 s
        late.runGuest(1.0, 90);

        assertThat(inner.secondsAt(0)).isCloseTo(1.0, within(1e-9));
        assertThat(inner.secondsAt(30)).isZero();
        assertThat(inner.secondsAt(60)).isCloseTo(1.0, within(1e-9));
        assertThat(inner.secondsAt(90)).isCloseTo(0.5, within(1e-9));
    }

    /** As the drivers do: a raise still waiting follows the policy down; a throttle in force only rises. */
    @Test
    void withALagAWaitingRaiseFollowsThePolicyDownAndOneInForceOnlyRises() {
        var inner = new Recording();
        var late = new LateThrottle(inner, 1.0);
        late.runGuest(0.5, 60); // asked at 0 s
        late.runGuest(1.0, 30); // lowered while it waits: felt at 1 s, as 30 (QEMU's look is not put off)
        late.runGuest(1.0, 0); // 30 is in force now: asking for less keeps it

        assertThat(inner.secondsAt(0)).isCloseTo(1.0, within(1e-9));
        assertThat(inner.secondsAt(60)).isZero();
        assertThat(inner.secondsAt(30)).isCloseTo(1.5, within(1e-9));
        assertThat(late.inForce()).isEqualTo(30);
    }

    /** A guest that calmed down before QEMU looked is not throttled on an ask the policy no longer makes. */
    @Test
    void aRaiseWithdrawnBeforeItsLagHasPassedIsNeverFelt() {
        var inner = new Recording();
        var late = new LateThrottle(inner, 1.0);
        late.runGuest(0.5, 60); // asked at 0 s
        late.runGuest(1.0, 0); // withdrawn at 0.5 s
        late.runGuest(0.5, 40); // asked again at 1.5 s: a new wait, felt from 2.5 s
        late.runGuest(1.0, 40);

        assertThat(inner.secondsAt(60)).isZero();
        assertThat(inner.secondsAt(0)).isCloseTo(2.5, within(1e-9));
        assertThat(inner.secondsAt(40)).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void withoutALagAThrottleIsTheEnginesOwnAndALowerOneIsFeltAtOnce() {
        var now = new Recording();
        var none = new LateThrottle(now, 0);
        none.runGuest(0.5, 40);
        none.runGuest(0.5, 10);
        assertThat(now.secondsAt(40)).isEqualTo(0.5);
        assertThat(now.secondsAt(10)).isEqualTo(0.5);
        assertThatThrownBy(() -> new LateThrottle(now, -1)).hasMessageContaining("lag");
    }
}
