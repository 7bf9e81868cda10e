package dev.ferry.scheduler.evacuation;

import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.scheduler.plan.EvacuationPlanner;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What {@code POST /hosts/{id}/evacuate?dryRun=true} answers: the plan, its predicted makespan, who cannot go. */
@Schema(name = "EvacuationPlan", example = "{\"hostId\": 2, \"hostName\": \"hv-02\", \"concurrency\": 2, "
        + "\"predictedMakespanMillis\": 5500, \"moves\": [{\"order\": 1, \"vmId\": 5, \"vmName\": \"app-1\", \"targetHostId\": 3, "
        + "\"targetHostName\": \"hv-03\", \"plannedStartMillis\": 0, \"predictedTotalTimeMillis\": 5500, \"predictedDowntimeMillis\": 22}], "
        + "\"unplaceable\": [{\"vmId\": 9, \"vmName\": \"big-1\", \"reason\": \"no compatible host: hv-04: CPU_VENDOR\"}]}")
public record EvacuationPlanView(long hostId, String hostName, int concurrency, long predictedMakespanMillis, List<Move> moves,
        List<EvacuationPlanner.Stuck> unplaceable) {

    /**
     * @param plannedStartMillis      from the evacuation's start
     * @param predictedTotalTimeMillis from its start to its end in the plan, at the shares of the links it gets there
     */
    public record Move(int order, long vmId, String vmName, long targetHostId, String targetHostName, long plannedStartMillis,
            long predictedTotalTimeMillis, long predictedDowntimeMillis) {
    }

    static EvacuationPlanView of(HostView host, EvacuationPlanner.Plan plan) {
        return new EvacuationPlanView(host.id(), host.name(), plan.concurrency(), plan.predictedMakespanMillis(),
                plan.moves().stream().map(m -> new Move(m.order(), m.vmId(), m.vmName(), m.targetHostId(), m.targetHostName(),
                        m.plannedStartMillis(), m.plannedEndMillis() - m.plannedStartMillis(), m.forecast().downtimeMillis())).toList(), plan.unplaceable());
    }
}
