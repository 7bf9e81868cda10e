package dev.ferry.scheduler.evacuation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.model.Migration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The finish time's fallback; EvacuationTest checks the finish of a real evacuation against its migrations' histories. */
class EvacuationFinishTest {
    static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    static Migration ended(Instant endedAt, Instant updatedAt) {
        Migration m = Migration.accepted(UUID.randomUUID(), T);
        m.endedAt = endedAt;
        m.updatedAt = updatedAt;
        return m;
    }

    @Test
    void aMigrationEndedByAReplicaFromBeforeEndedAtCountsByItsLastChangeAsRetentionWillStampIt() {
        List<Migration> ms = List.of(ended(T.plusSeconds(60), T.plusSeconds(60)), ended(null, T.plusSeconds(120)));

        assertThat(EvacuationTracker.finishedAt(ms, T.plusSeconds(7_200))).isEqualTo(T.plusSeconds(120));
    }

    @Test
    void anEvacuationWithoutMigrationsFinishesNow() {
        assertThat(EvacuationTracker.finishedAt(List.of(), T)).isEqualTo(T);
    }
}
