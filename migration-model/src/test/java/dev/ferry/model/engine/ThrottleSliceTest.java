package dev.ferry.model.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ThrottleSliceTest {

    @Test
    void aVcpuSleepsTheRatioOfItsThrottleTimesTenMilliseconds() {
        assertThat(ThrottleSlice.millis(0)).isZero();
        assertThat(ThrottleSlice.millis(50)).isCloseTo(10, within(1e-9));
        assertThat(ThrottleSlice.millis(90)).isCloseTo(90, within(1e-9));
        assertThat(ThrottleSlice.millis(99)).isCloseTo(990, within(1e-9)); // the 1,004 ms pause of the real-guest suite
    }

    @Test
    void theCeilingForQemusDefaultTargetIs93Percent() {
        assertThat(ThrottleSlice.ceilingFor(300)).isEqualTo(93); // 133 ms sleeps; 94 % would sleep 157 ms
        assertThat(ThrottleSlice.ceilingFor(100)).isEqualTo(83);
        assertThat(ThrottleSlice.ceilingFor(2_000)).isEqualTo(99); // QEMU's own ceiling
        assertThat(ThrottleSlice.ceilingFor(1)).isEqualTo(4);
        // where a sleep fits exactly, in whole milliseconds: not lost to floating point
        assertThat(ThrottleSlice.ceilingFor(80)).isEqualTo(80); // 40 ms
        assertThat(ThrottleSlice.ceilingFor(180)).isEqualTo(90); // 90 ms
        assertThat(ThrottleSlice.ceilingFor(230)).isEqualTo(92); // 115 ms
    }

    @Property(tries = 200)
    void theCeilingIsTheHighestThrottleWhoseSleepsFitHalfTheTarget(@ForAll @LongRange(min = 1, max = 5_000) long target) {
        int ceiling = ThrottleSlice.ceilingFor(target);
        assertThat(ThrottleSlice.millis(ceiling)).isLessThanOrEqualTo(target / 2.0 + 1e-9);
        if (ceiling < 99) {
            assertThat(ThrottleSlice.millis(ceiling + 1)).isGreaterThan(target / 2.0);
        }
    }

    @Test
    void refusesWhatIsNotAThrottleOrATarget() {
        assertThatThrownBy(() -> ThrottleSlice.millis(100)).hasMessageContaining("0..99");
        assertThatThrownBy(() -> ThrottleSlice.millis(-1)).hasMessageContaining("0..99");
        assertThatThrownBy(() -> ThrottleSlice.ceilingFor(0)).hasMessageContaining("> 0 ms");
    }
}
