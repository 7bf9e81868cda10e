package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.scheduler.plan.EvacuationPlanner;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import dev.ferry.scheduler.plan.PlanRoom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanRoomTest {
    static final long GIB = 1L << 30;

    /** A VM whose option on each host has {@code room} GiB before it (inventory's room, less the claims as read). */
    static VmToMove vm(long id, long gib, long room) {
        return new VmToMove(id, "vm-" + id, gib * GIB, new DirtyModel(1, 0, "idle"),
                List.of(new Option(3, "hv-3", 1e9, (room - gib) * GIB, 0), new Option(4, "hv-4", 1e9, (room - gib) * GIB, 0)), "");
    }

    static EvacuationPlanner.Move move(long vmId, long host) {
        return new EvacuationPlanner.Move(vmId, "vm-" + vmId, host, "hv-" + host, null, 1, 0, 0);
    }

    @Test
    void whatTheOthersClaimedSinceTheReadingMustFitInWhatThePlanLeft() {
        // 10 GiB on hv-3 as read, the plan sends 4 + 2 there: 4 GiB left; hv-4 takes 8 of its 10
        var vms = Map.of(1L, vm(1, 4, 10), 2L, vm(2, 2, 10), 3L, vm(3, 8, 10));
        var slack = PlanRoom.slack(List.of(move(1, 3), move(2, 3), move(3, 4)), vms);
        assertThat(slack).containsEntry(3L, 4 * GIB).containsEntry(4L, 2 * GIB);

        assertThat(PlanRoom.shortfalls(slack, Map.of(3L, 4 * GIB))).isEmpty();
        assertThat(PlanRoom.shortfalls(slack, Map.of(3L, 4 * GIB, 4L, 3 * GIB)))
                .containsExactly("host 4: 3072 MiB more claimed by other migrations than when the plan read its room, 2048 MiB left beyond the plan");
    }

    @Test
    void aMoveToAHostThatIsNotOneOfItsOptionsIsAnError() {
        assertThatThrownBy(() -> PlanRoom.slack(List.of(move(1, 9)), Map.of(1L, vm(1, 4, 10))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one of its options");
    }
}
