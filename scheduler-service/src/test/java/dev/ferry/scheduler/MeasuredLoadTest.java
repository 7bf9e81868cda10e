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
                new Reading(1, 4, true, 2.0, NOW.minusSeconds(60)),
                new Reading(2, 2, true, 0.4, NOW.minusSeconds(600)),
                new Reading(3, 1, true, null, null),                              // never measured
                new Reading(4, 1, true, 0.9, NOW.minus(Duration.ofMinutes(31))),  // too old to use
                new Reading(5, 8, false, 3.0, NOW.minusSeconds(60))), NOW, MAX_AGE); // stopped since

        // measured: 2.4 cores over 6 vCPUs, 0.4 per vCPU; VMs 3 and 4 at that; the stopped VM uses nothing
        assertThat(load.of(1)).isEqualTo(2.0);
        assertThat(load.of(2)).isEqualTo(0.4);
        assertThat(load.of(3)).isCloseTo(0.4, offset(1e-9));
        assertThat(load.of(4)).isCloseTo(0.4, offset(1e-9));
        assertThat(load.of(5)).isZero();
        assertThat(load.summary().vmsMeasured()).isEqualTo(2);
        assertThat(load.summary().vmsEstimated()).isEqualTo(2);
        assertThat(load.summary().estimatedCoresPerVcpu()).isCloseTo(0.4, offset(1e-9));
        assertThat(load.summary().vcpusMeasuredShare()).isCloseTo(0.75, offset(1e-9)); // 6 of the 8 running vCPUs
        assertThat(load.summary().oldestMeasuredAt()).isEqualTo(NOW.minusSeconds(600));
        assertThat(load.summary().included()).isTrue();
        // a VM on its way from a host the cluster's lists do not hold: estimated like one never measured
        assertThat(load.moving(99, 5)).isCloseTo(2.0, offset(1e-9));
        assertThat(load.moving(1, 4)).isEqualTo(2.0);
    }

    @Test
    void aClusterLessThanHalfMeasuredRecentlyHasNoMeasuredLoad() {
        var load = MeasuredLoad.of(List.of(new Reading(1, 4, true, null, null), new Reading(2, 2, true, 3.0, NOW.minus(Duration.ofHours(2))),
                new Reading(3, 1, true, 0.5, NOW.minusSeconds(60))), NOW, MAX_AGE);

        assertThat(load.summary().included()).as("1 of 7 running vCPUs measured").isFalse();
        assertThat(load.summary().vmsMeasured()).isEqualTo(1);
        assertThat(load.of(1)).isZero();
        assertThat(load.of(2)).isZero();
        assertThat(load.of(3)).as("all weighed on allocation alone").isZero();
        assertThat(load.moving(99, 4)).isZero();
        assertThat(load.summary().oldestMeasuredAt()).isNull();
    }
}
