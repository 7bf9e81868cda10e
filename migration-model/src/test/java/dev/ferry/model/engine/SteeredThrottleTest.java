package dev.ferry.model.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SteeredThrottleTest {
    @Test
    void aThrottleInForceIsOnlyRaised() {
        assertThat(SteeredThrottle.next(30, 60, 60)).isEqualTo(60);
        assertThat(SteeredThrottle.next(0, 60, 45)).as("even on its way to the figure").isEqualTo(60);
        assertThat(SteeredThrottle.next(80, 60, 60)).isEqualTo(80);
        assertThat(SteeredThrottle.next(120, 60, 60)).isEqualTo(99);
        // QEMU applied 60 % just as the driver withdrew it: what is in force is the floor
        assertThat(SteeredThrottle.next(30, 0, 60)).isEqualTo(60);
    }

    @Test
    void aRaiseNotYetInForceFollowsThePolicyDownToNothing() {
        assertThat(SteeredThrottle.next(30, 60, 0)).isEqualTo(30);
        assertThat(SteeredThrottle.next(0, 60, 0)).isZero();
        assertThat(SteeredThrottle.next(70, 60, 0)).isEqualTo(70);
        assertThat(SteeredThrottle.next(-5, 0, 0)).isZero();
        // 1 % with nothing set is auto-converge armed idle throttling by itself: not a figure to keep
        assertThat(SteeredThrottle.next(0, 0, 1)).isZero();
        assertThat(SteeredThrottle.next(40, 0, 1)).isEqualTo(40);
    }

    @Test
    void aStopLeavesTheThrottleInForceAndWithdrawsARaiseStillWaiting() {
        assertThat(SteeredThrottle.atStop(60, 0)).as("nothing in force: withdrawn").isZero();
        assertThat(SteeredThrottle.atStop(93, 60)).as("a raise on top of one in force: pinned there").isEqualTo(60);
        assertThat(SteeredThrottle.atStop(60, 60)).isEqualTo(60);
        assertThat(SteeredThrottle.atStop(0, 0)).isZero();
    }
}
