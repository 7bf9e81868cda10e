package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.scheduler.plan.PredictionAccuracy;
import dev.ferry.scheduler.plan.PredictionAccuracy.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionAccuracyTest {

    @Test
    void errorsAreMeanAbsoluteOverTheSamples() {
        var over = new Sample("a", "vm", 11_000, 10_000, 40, 30, 4, 5, "x", "simulated");
        var under = new Sample("b", "vm", 9_000, 10_000, 20, 30, 6, 5, "x", "simulated");

        PredictionAccuracy acc = PredictionAccuracy.of(List.of(over, under));

        assertThat(acc.totalTimeMeanAbsolutePercentError()).isEqualTo(10.0);
        assertThat(acc.downtimeMeanAbsoluteErrorMillis()).isEqualTo(10.0);
        assertThat(acc.roundsMeanAbsoluteError()).isEqualTo(1.0);
    }

    @Test
    void eachDriverIsJudgedOnItsOwnSamples() {
        var simulated = new Sample("a", "vm", 11_000, 10_000, 40, 30, 4, 5, "x", "simulated");
        var qemu = new Sample("b", "vm", 5_000, 10_000, 30, 30, 5, 5, "x", "qemu");
        var older = new Sample("c", "vm", 10_000, 10_000, 30, 30, 5, 5, "x", null);

        PredictionAccuracy acc = PredictionAccuracy.of(List.of(simulated, qemu, older));

        assertThat(acc.byDriver()).containsOnlyKeys("simulated", "qemu", "unknown");
        assertThat(acc.byDriver().get("simulated").totalTimeMeanAbsolutePercentError()).isEqualTo(10.0);
        assertThat(acc.byDriver().get("qemu").totalTimeMeanAbsolutePercentError()).isEqualTo(50.0);
        assertThat(acc.byDriver().get("qemu").migrations()).isEqualTo(1);
        assertThat(acc.totalTimeMeanAbsolutePercentError()).isEqualTo(20.0);
    }

    @Test
    void failuresAreJudgedPerOutcomeAndTheConvergencePredictionAgainstWhatHappened() {
        var ok = new Sample("a", "vm", 11_000, 10_000, 40, 30, 4, 5, "x", "simulated", PredictionAccuracy.SUCCEEDED, true);
        var surprise = new Sample("b", "vm", 60_000, 20_000, 0, 30, 30, 8, "x", "simulated", PredictionAccuracy.SUCCEEDED, false);
        var gaveUpAsForecast = new Sample("c", "vm", 40_000, 50_000, 0, 0, 12, 10, "x", "qemu", PredictionAccuracy.GAVE_UP, false);
        var gaveUpUnforeseen = new Sample("d", "vm", 9_000, 30_000, 40, 0, 5, 20, "x", "qemu", PredictionAccuracy.GAVE_UP, true);
        // a host that went away says nothing of convergence, and it never ran long enough to time
        var hostLost = new Sample("e", "vm", 9_000, 0, 40, 0, 5, 0, "x", "qemu", PredictionAccuracy.FAILED, true);
        var older = new Sample("f", "vm", 10_000, 10_000, 30, 30, 5, 5, "x", "simulated", PredictionAccuracy.SUCCEEDED, null);

        PredictionAccuracy acc = PredictionAccuracy.of(List.of(ok, surprise, gaveUpAsForecast, gaveUpUnforeseen, hostLost, older));

        assertThat(acc.migrations()).as("the time errors stay over succeeded migrations").isEqualTo(3);
        assertThat(acc.byOutcome()).containsOnlyKeys("SUCCEEDED", "GAVE_UP");
        assertThat(acc.byOutcome().get("GAVE_UP").migrations()).isEqualTo(2);
        assertThat(acc.byOutcome().get("GAVE_UP").totalTimeMeanAbsolutePercentError()).isCloseTo(45.0, within(0.01)); // 20 % and 70 %
        var c = acc.convergence();
        assertThat(c.migrations()).isEqualTo(4);
        assertThat(List.of(c.succeededAsPredicted(), c.succeededAgainstPrediction(), c.gaveUpAsPredicted(), c.gaveUpAgainstPrediction()))
                .containsExactly(1, 1, 1, 1);
        assertThat(c.rightPercent()).isEqualTo(50.0);
        assertThat(acc.recent()).hasSize(6);
    }

    @Test
    void withNothingFinishedThereIsNoErrorToShow() {
        assertThat(PredictionAccuracy.of(List.of()).totalTimeMeanAbsolutePercentError()).isNull();
    }
}
