package dev.ferry.model.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.model.engine.RoundRecord.Sample;
import dev.ferry.model.sim.GuestWorkload;
import dev.ferry.model.sim.SimulatedGuest;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeasuredDirtyModelTest {
    static final long PAGES = 65_536; // 256 MiB

    /** Two windows of the saturating curve itself give back the curve's two numbers. */
    @Test
    void twoWindowsOfTheCurveGiveBackItsSetAndRate() {
        long hot = 20_000;
        double rate = 50_000;
        var model = DirtyModel.measured(List.of(window(0.25, hot, rate), window(1.0, hot, rate)), PAGES, "test");

        assertThat((double) model.hotPages()).isCloseTo(hot, within(hot * 0.01));
        assertThat(model.dirtyPagesPerSecond()).isCloseTo(rate, within(rate * 0.01));
        assertThat(model.assumed()).isFalse();
        assertThat(model.basis()).startsWith("measured just before the start (test: ").contains("ms");
    }

    /** The simulator's own sample, over a uniform writer of a fifth of memory, is read back as that writer. */
    @Test
    void theSimulatorsSampleOfAUniformWriterIsReadBack() {
        double rate = 30_000;
        var guest = new SimulatedGuest((int) PAGES, 0, GuestWorkload.uniform(0.2, rate), 7);
        var windows = List.of(new Sample(0.25, Math.round(guest.sampleDirtyRate(0.25) * 0.25)),
                new Sample(1.0, Math.round(guest.sampleDirtyRate(1.0))));

        var model = DirtyModel.measured(windows, PAGES, "simulated");

        assertThat((double) model.hotPages()).isCloseTo(0.2 * PAGES, within(0.2 * PAGES * 0.1));
        assertThat(model.dirtyPagesPerSecond()).isCloseTo(rate, within(rate * 0.1));
    }

    @Test
    void aWriterThatRepeatsNoPageIsAStraightLineOverAllMemory() {
        var model = DirtyModel.measured(List.of(new Sample(0.25, 2_500), new Sample(1.0, 10_000)), PAGES, "test");

        assertThat(model.hotPages()).isEqualTo(PAGES);
        assertThat(model.dirtyPagesPerSecond()).isEqualTo(10_000);
    }

    @Test
    void aSetRewrittenWithinTheShortWindowIsThatSetAtLeastAtTheShortWindowsRate() {
        var model = DirtyModel.measured(List.of(new Sample(0.25, 4_000), new Sample(1.0, 3_900)), PAGES, "test");

        assertThat(model.hotPages()).isEqualTo(4_000);
        assertThat(model.dirtyPagesPerSecond()).isEqualTo(16_000);
    }

    @Test
    void anIdleGuestIsIdle() {
        var model = DirtyModel.measured(List.of(new Sample(0.25, 0), new Sample(1.0, 0)), PAGES, "test");

        assertThat(model.dirtyPagesPerSecond()).isZero();
        assertThat(Forecaster.forecast(PAGES * 4096, 1.25e8, 300, model, "ferry").converges()).isTrue();
    }

    @Test
    void noSetIsLargerThanMemory() {
        var model = DirtyModel.measured(List.of(new Sample(0.25, 30_000), new Sample(1.0, 60_000)), 40_000, "test");

        assertThat(model.hotPages()).isEqualTo(40_000);
    }

    @Test
    void nothingToFitIsRefused() {
        assertThatThrownBy(() -> DirtyModel.measured(List.of(), PAGES, "test")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirtyModel.measured(List.of(new Sample(0, 10)), PAGES, "test"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Distinct pages a uniform writer of {@code rate} pages/s over {@code hot} pages dirties in a window. */
    private static Sample window(double seconds, long hot, double rate) {
        return new Sample(seconds, Math.round(hot * -Math.expm1(-rate * seconds / hot)));
    }

    /** Writing QEMU measured is forecast with QEMU's throttle, a check late; any other hypervisor's at once. */
    @Test
    void aThrottleIsForecastAsLateAsTheHypervisorThatMeasuredActs() {
        var windows = List.of(new Sample(0.25, 2_500), new Sample(1.0, 10_000));

        assertThat(DirtyModel.measured(windows, PAGES, "calc-dirty-rate page-sampling").throttleLagSeconds())
                .isEqualTo(DirtyModel.QEMU_THROTTLE_LAG_SECONDS);
        assertThat(DirtyModel.measured(windows, PAGES, "simulated sample").throttleLagSeconds()).isZero();
        // a measurement that does not say how it was made (the event's method is optional) is not taken for QEMU's
        assertThat(DirtyModel.measured(windows, PAGES, null).throttleLagSeconds()).isZero();
        var qemu = DirtyModel.measured(windows, PAGES, "calc-dirty-rate page-sampling");
        assertThat(qemu.withZeroShare(0.3, "the guest's last move").throttleLagSeconds()).isEqualTo(qemu.throttleLagSeconds());
    }
}
