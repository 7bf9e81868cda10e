package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.plan.EvacuationPlanner;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import dev.ferry.model.forecast.DirtyModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvacuationPlannerTest {
    static final long GIB = 1L << 30;
    static final DirtyModel IDLE = new DirtyModel(1, 0, "idle");

    static VmToMove vm(long id, long memGib, List<Option> options) {
        return new VmToMove(id, "vm-" + id, memGib * GIB, IDLE, options, "no compatible host: STORAGE_REACHABLE");
    }

    @Test
    void everyVmGetsATargetOrAReasonAndNoTargetIsOverfilled() {
        // free memory after one 4 GiB VM lands: 4 GiB, so each host has 8 GiB free and takes two of them
        List<Option> two = List.of(new Option(1, "a", 1.25e9, 4 * GIB, 0), new Option(2, "b", 1.25e9, 4 * GIB, 0));
        List<VmToMove> vms = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            vms.add(vm(i, 4, two));
        }
        vms.add(vm(99, 1, List.of()));

        var plan = EvacuationPlanner.plan(vms, 300, 2, "ferry");

        // two per host: the other two 4 GiB VMs cannot go, and neither can the one without any compatible host
        assertThat(plan.moves()).hasSize(4);
        assertThat(plan.moves().stream().filter(m -> m.targetHostId() == 1)).hasSize(2);
        assertThat(plan.unplaceable()).extracting(EvacuationPlanner.Stuck::vmId).contains(99L);
        assertThat(plan.unplaceable()).hasSize(3);
        assertThat(plan.unplaceable()).allSatisfy(s -> assertThat(s.reason()).isNotBlank());
    }

    @Test
    void theLongestMigrationGoesFirstAndTheMakespanFollowsTheSlots() {
        List<Option> roomy = List.of(new Option(1, "a", 1.25e9, 100 * GIB, 0));
        var plan = EvacuationPlanner.plan(List.of(vm(1, 2, roomy), vm(2, 8, roomy), vm(3, 4, roomy)), 300, 2, "ferry");

        assertThat(plan.moves()).extracting(EvacuationPlanner.Move::vmId).containsExactly(2L, 3L, 1L);
        long t8 = plan.moves().get(0).forecast().totalTimeMillis();
        long t4 = plan.moves().get(1).forecast().totalTimeMillis();
        long t2 = plan.moves().get(2).forecast().totalTimeMillis();
        // two slots: 8 on one, 4 then 2 on the other
        assertThat(plan.predictedMakespanMillis()).isEqualTo(Math.max(t8, t4 + t2));
    }
}
