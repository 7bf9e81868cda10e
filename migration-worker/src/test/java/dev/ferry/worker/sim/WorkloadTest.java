package dev.ferry.worker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void distinctDirtyPagesGrowThenSaturateAtTheHotSet() {
        Workload w = new Workload(1000, 500);
        long previous = 0;
        for (double t = 0.1; t < 60; t *= 1.5) {
            long now = w.distinctPagesDirtied(t);
            assertThat(now).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(1000);
            previous = now;
        }
        assertThat(w.distinctPagesDirtied(60)).isEqualTo(1000);
    }

    @Test
    void shortWindowsDirtyAboutRateTimesTime() {
        assertThat(new Workload(1_000_000, 1000).distinctPagesDirtied(1)).isBetween(990L, 1000L);
    }

    @Test
    void theSameVmBehavesTheSameEveryTime() {
        assertThat(Workload.typical(42, 1_000_000, 300_000)).isEqualTo(Workload.typical(42, 1_000_000, 300_000));
    }
}
