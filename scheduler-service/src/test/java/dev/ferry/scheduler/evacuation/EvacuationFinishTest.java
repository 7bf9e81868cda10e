package dev.ferry.scheduler.evacuation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.model.Migration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EvacuationFinishTest {
    static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    static Migration ended(Instant endedAt, Instant updatedAt) {
        Migration m = Migration.accepted(UUID.randomUUID(), T);
        m.endedAt = endedAt;
        m.updatedAt = updatedAt;
        return m;
    }

    @Test
    void anEvacuationFinishesWhenItsLastMigrationEndedNotWhenAWorkerLastSpokeOfOne() {
        // the second ended last; the first was touched an hour after it ended (a worker's late word)
        List<Migration> ms = List.of(ended(T.plusSeconds(60), T.plusSeconds(3_600)), ended(T.plusSeconds(90), T.plusSeconds(90)));

        assertThat(EvacuationTracker.finishedAt(ms, T.plusSeconds(7_200))).isEqualTo(T.plusSeconds(90));
    }

    @Test
    void aMigrationEndedByAReplicaFromBeforeEndedAtCountsByItsLastChange() {
        List<Migration> ms = List.of(ended(T.plusSeconds(60), T.plusSeconds(60)), ended(null, T.plusSeconds(120)));

        assertThat(EvacuationTracker.finishedAt(ms, T.plusSeconds(7_200))).isEqualTo(T.plusSeconds(120));
    }

    @Test
    void anEvacuationWithoutMigrationsFinishesNow() {
        assertThat(EvacuationTracker.finishedAt(List.of(), T)).isEqualTo(T);
    }
}
