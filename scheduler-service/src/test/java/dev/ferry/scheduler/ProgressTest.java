package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.service.Progress;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void progressIsSentOverSentPlusRemaining() {
        assertThat(Progress.next(0, 75, 25)).isEqualTo(75.0);
    }

    @Test
    void progressHoldsWhenRemainingGrows() {
        double shown = Progress.next(0, 80, 20);
        assertThat(Progress.next(shown, 90, 300)).isEqualTo(shown);
    }

    @Test
    void progressStaysBelowDoneUntilTheOutcome() {
        assertThat(Progress.next(0, 100, 0)).isLessThan(100.0);
    }

    @Test
    void finalPhasesNeverChange() {
        for (MigrationPhase from : MigrationPhase.values()) {
            for (MigrationPhase to : MigrationPhase.values()) {
                if (from.isFinal()) {
                    assertThat(from.canMoveTo(to)).as(from + " -> " + to).isFalse();
                }
            }
        }
        assertThat(MigrationPhase.SCHEDULED.canMoveTo(MigrationPhase.RUNNING)).isTrue();
    }
}
