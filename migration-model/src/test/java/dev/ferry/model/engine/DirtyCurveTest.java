package dev.ferry.model.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class DirtyCurveTest {

    static RoundRecord observed(double seconds, double pages, int throttle) {
        return new RoundRecord(1, RoundRecord.Kind.LIVE, 0, 0, 0, 0, Math.round(pages), seconds, 1e9, 0, 0, 0, throttle, null, null);
    }

    @Test
    void recoversTheRateAndWorkingSetOfASaturatingCurve() {
        var truth = new DirtyCurve(50_000, 100_000);
        var rounds = List.of(observed(4, truth.pagesIn(4), 0), observed(1, truth.pagesIn(1), 0), observed(0.25, truth.pagesIn(0.25), 0));

        var fit = DirtyCurve.fit(rounds, 1_000_000);

        assertThat(fit.workingSetPages()).isCloseTo(100_000, within(10_000.0));
        assertThat(fit.ratePagesPerSecond()).isCloseTo(50_000, within(5_000.0));
        assertThat(fit.pagesIn(0.5)).isCloseTo(truth.pagesIn(0.5), within(truth.pagesIn(0.5) * 0.05));
    }

    @Test
    void aThrottledRoundCountsOnlyTheGuestTimeItGot() {
        var truth = new DirtyCurve(20_000, 1_000_000);
        // half throttled: 2 s of round are 1 s of guest time
        var rounds = List.of(observed(2, truth.pagesIn(1), 50), observed(0.5, truth.pagesIn(0.5), 0));

        assertThat(DirtyCurve.fit(rounds, 1_000_000).pagesIn(1)).isCloseTo(truth.pagesIn(1), within(truth.pagesIn(1) * 0.05));
    }

    @Test
    void anIdleGuestDirtiesNothing() {
        assertThat(DirtyCurve.fit(List.of(observed(3, 0, 0)), 1000).pagesIn(10)).isZero();
    }

    @Test
    void neverPredictsMoreThanMemory() {
        var fit = DirtyCurve.fit(List.of(observed(1, 900, 0), observed(0.1, 500, 0)), 1000);
        assertThat(fit.pagesIn(1000)).isLessThanOrEqualTo(1000);
    }
}
