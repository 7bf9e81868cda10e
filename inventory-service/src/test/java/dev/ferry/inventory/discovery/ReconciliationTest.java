package dev.ferry.inventory.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.HostReport;
import dev.ferry.inventory.discovery.Reconciliation.Difference;
import dev.ferry.inventory.discovery.Reconciliation.Placed;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReconciliationTest {
    static HostReport runs(String... running) {
        List<HostReport.Guest> guests = new java.util.ArrayList<>();
        for (String name : running) {
            guests.add(new HostReport.Guest(name, "uuid-" + name, true, 1L << 30, 1, List.of(), List.of()));
        }
        guests.add(new HostReport.Guest("shut-off", "uuid-off", false, 1L << 30, 1, List.of(), List.of()));
        return new HostReport("p", 1, Instant.now(), true, null, "hv-1",
                new HostReport.Cpu("Intel", "Skylake", 6, 85, 1, 4, 2, 2000, List.of()), 64L << 30, "QEMU 10", List.of(), List.of(), guests);
    }

    @Test
    void agreementRaisesNothing() {
        var byName = Map.of("web", new Placed(10, "web", 1, "hv-1", true), "shut-off", new Placed(11, "shut-off", 1, "hv-1", false));
        assertThat(Reconciliation.compare(1, "hv-1", runs("web"), byName, Set.of())).isEmpty();
    }

    @Test
    void everyKindOfDifferenceIsNamedWithItsVm() {
        var byName = Map.of("web", new Placed(10, "web", 2, "hv-2", true), "db", new Placed(12, "db", 1, "hv-1", true));

        List<Difference> found = Reconciliation.compare(1, "hv-1", runs("web", "stray"), byName, Set.of());

        assertThat(found).extracting(Difference::kind, Difference::vmId, Difference::subject).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(Reconciliation.GUEST_ELSEWHERE, 10L, "web"),
                org.assertj.core.groups.Tuple.tuple(Reconciliation.GUEST_UNREGISTERED, null, "stray"),
                org.assertj.core.groups.Tuple.tuple(Reconciliation.VM_NOT_ON_HOST, 12L, "db"));
        assertThat(found).filteredOn(d -> d.vmId() != null && d.vmId() == 10L).singleElement()
                .satisfies(d -> assertThat(d.detail()).contains("hv-1").contains("hv-2"));
    }

    @Test
    void aVmWithAMigrationUnderWayIsLeftAlone() {
        // mid-switch-over it runs on the destination while inventory still places it on the source, or on neither
        var byName = Map.of("moving", new Placed(10, "moving", 2, "hv-2", true), "leaving", new Placed(12, "leaving", 1, "hv-1", true));
        assertThat(Reconciliation.compare(1, "hv-1", runs("moving"), byName, Set.of(10L, 12L))).isEmpty();
    }
}
