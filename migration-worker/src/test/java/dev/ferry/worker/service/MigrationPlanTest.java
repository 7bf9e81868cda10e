package dev.ferry.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.events.CommandType;
import dev.ferry.events.MigrationCommand;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MigrationPlanTest {
    static final Instant NOW = Instant.parse("2026-11-25T22:00:00Z");

    static MigrationCommand start(Integer ceiling, boolean postCopy, Instant deadline) {
        return new MigrationCommand("c", CommandType.START, UUID.randomUUID(), 1, 7, "web-1", 1, 2, 9, 1L << 30,
                125_000_000L, 250, NOW, ceiling, postCopy, deadline, null, null, null, null, null, null);
    }

    @Test
    void theRequestsPolicyWinsOverTheWorkersDefault() {
        MigrationCommand chosen = new MigrationCommand("c", CommandType.START, UUID.randomUUID(), 1, 7, "web-1", 1, 2, 9, 1L << 30,
                125_000_000L, 250, NOW, null, false, null, null, null, null, null, "xen", null);
        assertThat(MigrationPlan.policy(chosen, "ferry")).isEqualTo("xen");
        assertThat(MigrationPlan.policy(start(null, false, null), "ferry")).isEqualTo("ferry");
    }

    @Test
    void theOperatorsLimitsTravelWithTheCommand() {
        var limits = MigrationPlan.limits(start(40, true, NOW.plusSeconds(90)), 99, NOW);

        assertThat(limits.maxDowntimeMillis()).isEqualTo(250);
        assertThat(limits.maxThrottlePercent()).isEqualTo(40);
        assertThat(limits.postCopyAllowed()).isTrue();
        assertThat(limits.deadlineSeconds()).isEqualTo(90);
    }

    @Test
    void withoutLimitsTheWorkersDefaultsApplyAndAMigrationStillEndsWithinTheHour() {
        var limits = MigrationPlan.limits(start(null, false, null), 60, NOW);

        assertThat(limits.maxThrottlePercent()).isEqualTo(60);
        assertThat(limits.postCopyAllowed()).isFalse();
        assertThat(limits.deadlineSeconds()).isEqualTo(3600);
    }

    @Test
    void aDeadlineAlreadyPastLeavesNoTimeAtAll() {
        assertThat(MigrationPlan.limits(start(null, false, NOW.minusSeconds(5)), 99, NOW).deadlineSeconds()).isLessThan(0.01);
    }

    @Test
    void autoPicksAnEverydayWorkloadByVmIdAndANamedOneIsTakenAsIs() {
        assertThat(MigrationPlan.workload("auto", 0).name()).isEqualTo("oltp");
        assertThat(MigrationPlan.workload("auto", 7).name()).isEqualTo("zero-pages");
        assertThat(MigrationPlan.workload("auto", 7)).isEqualTo(MigrationPlan.workload("auto", 7));
        assertThat(MigrationPlan.workload("sequential-2x", 7).name()).isEqualTo("sequential-2x");
        assertThatThrownBy(() -> MigrationPlan.workload("busy", 1)).hasMessageContaining("no workload named 'busy'");
    }

    @Test
    void theSimulatorRefusesMemoryItCannotModel() {
        assertThat(MigrationPlan.pages(1L << 30)).isEqualTo(262_144);
        assertThatThrownBy(() -> MigrationPlan.pages(100)).hasMessageContaining("outside what the simulator models");
    }
}
