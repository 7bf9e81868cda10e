package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.scheduler.plan.AssignmentSearch;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.GroupRules;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;
import org.junit.jupiter.api.Test;

class AssignmentSearchTest {
    static final long GIB = 1L << 30;
    /** A VM takes a second per GiB to either host. */
    static final ToDoubleBiFunction<VmToMove, Option> SECONDS = (vm, o) -> vm.memoryBytes() / (double) GIB;

    static VmToMove vm(long id, long gib, long roomOnA, long roomOnB) {
        return new VmToMove(id, "vm-" + id, gib * GIB, new DirtyModel(1, 0, "idle"),
                List.of(new Option(1, "hv-a", 1e9, roomOnA * GIB - gib * GIB, 0), new Option(2, "hv-b", 1e9, roomOnB * GIB - gib * GIB, 0)), "");
    }

    static Map<Long, Double> ends(Map<VmToMove, Option> chosen) {
        Map<Long, Double> busy = new HashMap<>();
        chosen.forEach((vm, o) -> busy.merge(o.hostId(), SECONDS.applyAsDouble(vm, o), Double::sum));
        return busy;
    }

    static Map<VmToMove, Option> lpt(List<VmToMove> vms, long... hosts) {
        Map<VmToMove, Option> chosen = new LinkedHashMap<>();
        for (int i = 0; i < vms.size(); i++) {
            long host = hosts[i];
            chosen.put(vms.get(i), vms.get(i).options().stream().filter(o -> o.hostId() == host).findFirst().orElseThrow());
        }
        return chosen;
    }

    @Test
    void aSwapEvensOutWhatLongestFirstLeftUneven() {
        // longest first, earliest finish: 5 -> a, 4 -> b, 3 -> b (7), 3 -> a (8), 3 -> b (10)
        List<VmToMove> vms = List.of(vm(1, 5, 64, 64), vm(2, 4, 64, 64), vm(3, 3, 64, 64), vm(4, 3, 64, 64), vm(5, 3, 64, 64));
        Map<VmToMove, Option> chosen = lpt(vms, 1, 2, 2, 1, 2);
        assertThat(ends(chosen).get(2L)).isEqualTo(10);

        AssignmentSearch.improve(chosen, SECONDS, GroupRules.NONE);

        // 5 + 4 on one, 3 + 3 + 3 on the other: both end at 9, the best there is
        assertThat(ends(chosen)).containsEntry(1L, 9.0).containsEntry(2L, 9.0);
    }

    @Test
    void noVmGoesWhereItHasNoRoom() {
        // hv-a holds only 8 GiB: the 4 GiB VM cannot join the 5 there, nor replace a 3 (5 + 4 > 8)
        List<VmToMove> vms = List.of(vm(1, 5, 8, 64), vm(2, 4, 8, 64), vm(3, 3, 8, 64), vm(4, 3, 8, 64), vm(5, 3, 8, 64));
        Map<VmToMove, Option> chosen = lpt(vms, 1, 2, 2, 1, 2);

        AssignmentSearch.improve(chosen, SECONDS, GroupRules.NONE);

        assertThat(ends(chosen)).containsEntry(1L, 8.0).containsEntry(2L, 10.0);
    }
}
