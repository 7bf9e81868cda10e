package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.plan.PredictionAccuracy;
import dev.ferry.scheduler.plan.PredictionAccuracy.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionAccuracyTest {

    @Test
    void errorsAreMeanAbsoluteOverTheSamples() {
        var over = new Sample("a", "vm", 11_000, 10_000, 40, 30, 4, 5, "x");
        var under = new Sample("b", "vm", 9_000, 10_000, 20, 30, 6, 5, "x");

        PredictionAccuracy acc = PredictionAccuracy.of(List.of(over, under));

        assertThat(acc.totalTimeMeanAbsolutePercentError()).isEqualTo(10.0);
        assertThat(acc.downtimeMeanAbsoluteErrorMillis()).isEqualTo(10.0);
        assertThat(acc.roundsMeanAbsoluteError()).isEqualTo(1.0);
    }

    @Test
    void withNothingFinishedThereIsNoErrorToShow() {
        assertThat(PredictionAccuracy.of(List.of()).totalTimeMeanAbsolutePercentError()).isNull();
    }
}
