package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.model.MigrationPriority;
import dev.ferry.scheduler.service.SlotPlanner;
import dev.ferry.scheduler.service.SlotPlanner.Active;
import dev.ferry.scheduler.service.SlotPlanner.Waiting;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SlotPlannerTest {
    static final Instant T0 = Instant.parse("2026-11-25T20:00:00Z");

    static Waiting waiting(int n, MigrationPriority p, long source, long target) {
        return new Waiting(new UUID(0, n), p, T0.plusSeconds(n), source, target, 2, 2);
    }

    @Test
    void evacuationsGoBeforeUserRequestsBeforeRebalancing() {
        var rebalance = waiting(1, MigrationPriority.REBALANCE, 10, 20);
        var user = waiting(2, MigrationPriority.USER, 11, 21);
        var evacuation = waiting(3, MigrationPriority.EVACUATION, 12, 22);

        assertThat(SlotPlanner.startable(List.of(rebalance, user, evacuation), List.of(), 2))
                .containsExactly(evacuation.id(), user.id());
    }

    @Test
    void aHostAtItsLimitDoesNotBlockMigrationsBehindIt() {
        var blocked = waiting(1, MigrationPriority.USER, 10, 20);
        var free = waiting(2, MigrationPriority.USER, 11, 21);
        var active = List.of(new Active(10, 30), new Active(10, 31));

        assertThat(SlotPlanner.startable(List.of(blocked, free), active, 5)).containsExactly(free.id());
    }

    @Test
    void neverMoreThanTheOutboundLimitLeaveOneHost() {
        var queued = List.of(waiting(1, MigrationPriority.EVACUATION, 10, 20), waiting(2, MigrationPriority.EVACUATION, 10, 21),
                waiting(3, MigrationPriority.EVACUATION, 10, 22), waiting(4, MigrationPriority.EVACUATION, 10, 23));

        assertThat(SlotPlanner.startable(queued, List.of(), 10)).hasSize(2);
        assertThat(SlotPlanner.startable(queued, List.of(new Active(10, 40)), 10)).hasSize(1);
    }

    @Test
    void theClusterLimitCapsEverything() {
        var queued = List.of(waiting(1, MigrationPriority.USER, 10, 20), waiting(2, MigrationPriority.USER, 11, 21),
                waiting(3, MigrationPriority.USER, 12, 22));

        assertThat(SlotPlanner.startable(queued, List.of(new Active(50, 60)), 3)).hasSize(2);
        assertThat(SlotPlanner.startable(queued, List.of(new Active(50, 60)), 1)).isEmpty();
    }
}
