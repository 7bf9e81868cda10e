package dev.ferry.scheduler.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.DirtyMeasurement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which zero pages a forecast from the measured writing goes with. */
class MeasuredWritingTest {
    static final long GIB = 1L << 30;
    static final List<DirtyMeasurement.Window> WINDOWS = List.of(new DirtyMeasurement.Window(250, 5_000),
            new DirtyMeasurement.Window(1_000, 12_000));

    @Test
    void theZeroPagesSampledNowComeBeforeThoseOfTheLastMigrationAndThoseBeforeNone() {
        var sampled = MeasuredWriting.model(new DirtyMeasurement(WINDOWS, "calc-dirty-rate page-sampling", 0.4), 4 * GIB, 0.7, "last");
        var notSampled = MeasuredWriting.model(new DirtyMeasurement(WINDOWS, "calc-dirty-rate page-sampling"), 4 * GIB, 0.7, "last");
        var neverMoved = MeasuredWriting.model(new DirtyMeasurement(WINDOWS, "calc-dirty-rate page-sampling"), 4 * GIB, null, "last");

        assertThat(sampled.zeroShare()).isEqualTo(0.4);
        assertThat(sampled.basis()).endsWith("; 40 % of memory zero pages (" + MeasuredWriting.SAMPLED_ZERO_PAGES + ")");
        assertThat(notSampled.zeroShare()).isEqualTo(0.7);
        assertThat(notSampled.basis()).endsWith("(last)");
        assertThat(neverMoved.zeroShare()).isZero();
        // the writing is the windows' whatever the zero pages
        assertThat(sampled.hotPages()).isEqualTo(neverMoved.hotPages());
    }

    @Test
    void aGuestSampledAllZerosIsStillTakenToHoldSomething() {
        var empty = MeasuredWriting.model(new DirtyMeasurement(WINDOWS, "calc-dirty-rate page-sampling", 1.0), 64 * GIB, null, "last");

        assertThat(empty.zeroShare()).isEqualTo(0.95);
    }
}
