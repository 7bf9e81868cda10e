package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.plan.Forecast;
import dev.ferry.scheduler.plan.Predictor;
import dev.ferry.scheduler.plan.Predictor.DirtyModel;
import org.junit.jupiter.api.Test;

class PredictorTest {
    static final long GIB = 1L << 30;

    @Test
    void anIdleVmTakesOneCopyOfItsMemoryAndAnEmptyPause() {
        Forecast f = Predictor.predict(8 * GIB, 1.25e9, 300, new DirtyModel(1, 0, "idle"));

        assertThat(f.rounds()).isEqualTo(2);
        assertThat(f.totalTimeMillis()).isBetween(6_800L, 7_000L); // 8 GiB at 1.25 GB/s = 6.87 s
        assertThat(f.downtimeMillis()).isEqualTo(15);
        assertThat(f.converges()).isTrue();
    }

    @Test
    void aFasterLinkIsPredictedFaster() {
        var dirty = new DirtyModel(50_000, 40_000, "test");
        assertThat(Predictor.predict(8 * GIB, 1.25e9, 300, dirty).totalTimeMillis())
                .isLessThan(Predictor.predict(8 * GIB, 1.25e8, 300, dirty).totalTimeMillis());
    }

    @Test
    void aVmDirtyingFasterThanTheLinkDoesNotConverge() {
        long pages = 4 * GIB / 4096;
        Forecast f = Predictor.predict(4 * GIB, 1.25e8, 300, new DirtyModel(pages, 3 * 1.25e8 / 4096, "hot"));

        assertThat(f.converges()).isFalse();
        assertThat(f.rounds()).isEqualTo(30);
        assertThat(f.downtimeMillis()).isGreaterThan(300);
    }

    @Test
    void theTypicalModelSaysItIsAnAssumption() {
        assertThat(Predictor.typical(4 * GIB, 1.25e9).basis()).contains("assumed");
    }
}
