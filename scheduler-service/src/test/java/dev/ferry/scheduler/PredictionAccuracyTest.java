package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

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
    void withNothingFinishedThereIsNoErrorToShow() {
        assertThat(PredictionAccuracy.of(List.of()).totalTimeMeanAbsolutePercentError()).isNull();
    }
}
