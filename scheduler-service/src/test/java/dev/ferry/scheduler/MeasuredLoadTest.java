package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.ferry.scheduler.plan.MeasuredLoad;
import dev.ferry.scheduler.plan.MeasuredLoad.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeasuredLoadTest {
    static final Instant NOW = Instant.parse("2026-12-04T21:30:00Z");
    static final Duration MAX_AGE = Duration.ofMinutes(30);

    @Test
    void aRecentMeasurementIsUsedAndAnUnmeasuredVmIsEstimatedFromTheMeasuredOnesPerVcpu() {
        var load = MeasuredLoad.of(List.of(
                new Reading(1, 4, 2.0, NOW.minusSeconds(60)),
                new Reading(2, 2, 0.4, NOW.minusSeconds(600)),
                new Reading(3, 3, null, null),                              // never measured
                new Reading(4, 1, 0.9, NOW.minus(Duration.ofMinutes(31)))), NOW, MAX_AGE); // too old to use

        // measured: 2.4 cores over 6 vCPUs, 0.4 per vCPU; VMs 3 and 4 at that
        assertThat(load.of(1)).isEqualTo(2.0);
        assertThat(load.of(2)).isEqualTo(0.4);
        assertThat(load.of(3)).isCloseTo(1.2, offset(1e-9));
        assertThat(load.of(4)).isCloseTo(0.4, offset(1e-9));
        assertThat(load.summary().vmsMeasured()).isEqualTo(2);
        assertThat(load.summary().vmsEstimated()).isEqualTo(2);
        assertThat(load.summary().estimatedCoresPerVcpu()).isCloseTo(0.4, offset(1e-9));
        assertThat(load.summary().oldestMeasuredAt()).isEqualTo(NOW.minusSeconds(600));
        assertThat(load.summary().included()).isTrue();
    }

    @Test
    void aClusterNobodyMeasuredRecentlyHasNoMeasuredLoad() {
        var load = MeasuredLoad.of(List.of(new Reading(1, 4, null, null), new Reading(2, 2, 3.0, NOW.minus(Duration.ofHours(2)))), NOW, MAX_AGE);

        assertThat(load.summary().included()).isFalse();
        assertThat(load.of(1)).isZero();
        assertThat(load.of(2)).as("an old measurement is not used").isZero();
        assertThat(load.summary().oldestMeasuredAt()).isNull();
    }
}
