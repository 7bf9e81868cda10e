package dev.ferry.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.VmView;
import dev.ferry.inventory.api.VmState;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPriority;
import dev.ferry.scheduler.model.TargetChoice;
import dev.ferry.scheduler.service.MigrationService.Replacement;
import dev.ferry.scheduler.service.MigrationService.Target;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A queued migration moved to another destination carries that destination's link, limit and forecast. */
class RetargetTest {
    static final long GIB = 1L << 30;
    static final long TEN_GBE = 1_250_000_000L;
    static final long ONE_GBE = 125_000_000L;

    static HostView host(long id, long link, int maxInbound) {
        return new HostView(id, "hv-" + id, 1, HostState.UP, "GenuineIntel", 6, 15, "Xeon", Set.of(), 2000, 2, 4, 64 * GIB,
                1.0, 4.0, "KVM", "QEMU 10.0.2", "192.0.2.1", link, maxInbound, 2, 0, null, null, null);
    }

    @Test
    void aNewDestinationBringsItsLinkItsInboundLimitAndANewForecast() {
        VmView vm = new VmView(7, "db-7", 8 * GIB, 2, 1, VmState.RUNNING, null, null, null, Set.of(), List.of(), Set.of(), 0);
        HostView source = host(1, TEN_GBE, 2);
        DirtyModel dirty = DirtyModel.typical(vm.memoryBytes(), TEN_GBE);
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        Migration m = MigrationService.queued(vm, source, new Target(host(2, ONE_GBE, 2), TargetChoice.EVACUATION, "plan"),
                dirty, MigrationService.Asked.downtime(300), MigrationPriority.EVACUATION, new MigrationService.Steering("ferry", 99), now);
        long slowForecast = m.predictedTotalTimeMillis;
        assertThat(m.linkBandwidthBytesPerSecond).isEqualTo(ONE_GBE);

        String note = MigrationService.retarget(m, new Replacement(new Target(host(3, TEN_GBE, 8), TargetChoice.PLACEMENT, "ranked first"),
                dirty, source.linkBandwidthBytesPerSecond()), "hv-2 went MAINTENANCE; re-placed", new MigrationService.Steering("ferry", 99),
                now.plusSeconds(60));

        assertThat(note).isEqualTo("applied: destination changed from host 2 to hv-3; hv-2 went MAINTENANCE; re-placed");
        assertThat(m.targetHostId).isEqualTo(3);
        assertThat(m.linkBandwidthBytesPerSecond).isEqualTo(TEN_GBE);
        assertThat(m.targetMaxInbound).isEqualTo(8);
        assertThat(m.predictedTotalTimeMillis).isLessThan(slowForecast / 5);
        assertThat(m.targetChoice).as("who chose stays: an evacuation's move is still the evacuation's").isEqualTo(TargetChoice.EVACUATION);
        assertThat(m.targetReason).isEqualTo("hv-2 went MAINTENANCE; re-placed");
        assertThat(m.updatedAt).isEqualTo(now.plusSeconds(60));
    }
}
