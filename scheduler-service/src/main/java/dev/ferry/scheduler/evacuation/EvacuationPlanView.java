package dev.ferry.scheduler.evacuation;

import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.plan.EvacuationPlanner;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What {@code POST /hosts/{id}/evacuate?dryRun=true} answers: the plan, its predicted makespan, who cannot go, and the
 * migrations already under way whose links the plan shares ({@code plannedAround}).
 */
@Schema(name = "EvacuationPlan", example = "{\"hostId\": 2, \"hostName\": \"hv-02\", \"concurrency\": 2, "
        + "\"predictedMakespanMillis\": 5500, \"moves\": [{\"order\": 1, \"vmId\": 5, \"vmName\": \"app-1\", \"targetHostId\": 3, "
        + "\"targetHostName\": \"hv-03\", \"plannedStartMillis\": 0, \"predictedTotalTimeMillis\": 5500, \"predictedDowntimeMillis\": 22}], "
        + "\"unplaceable\": [{\"vmId\": 9, \"vmName\": \"big-1\", \"reason\": \"no compatible host: hv-04: CPU_VENDOR\"}], "
        + "\"plannedAround\": [{\"migrationId\": \"0b6f7c1e-8f43-4b8e-9d2a-1f0c2e3d4a5b\", \"vmName\": \"db-7\", "
        + "\"sourceHostId\": 6, \"targetHostId\": 3, \"phase\": \"RUNNING\", \"bytesPerSecond\": 625000000, "
        + "\"untilMillis\": 41000, \"why\": \"enters host 3, a destination of this plan\"}]}")
public record EvacuationPlanView(long hostId, String hostName, int concurrency, long predictedMakespanMillis, List<Move> moves,
        List<EvacuationPlanner.Stuck> unplaceable, List<PlannedAround> plannedAround) {

    /**
     * @param plannedStartMillis      from the evacuation's start
     * @param predictedTotalTimeMillis from its start to its end in the plan, at the shares of the links it gets there
     */
    public record Move(int order, long vmId, String vmName, long targetHostId, String targetHostName, long plannedStartMillis,
            long predictedTotalTimeMillis, long predictedDowntimeMillis) {
    }

    /**
     * A migration already under way on the plan's links: the plan counts it at {@code bytesPerSecond} (its share now)
     * until {@code untilMillis} from now (its ETA), on its slot and its share of the links it crosses.
     */
    public record PlannedAround(UUID migrationId, String vmName, long sourceHostId, long targetHostId, MigrationPhase phase,
            long bytesPerSecond, long untilMillis, String why) {
        static PlannedAround of(Migration m, boolean leavesTheHost, long bytesPerSecond, long untilMillis) {
            String why = (leavesTheHost ? "leaves this host" : "enters host " + m.targetHostId + ", a destination of this plan")
                    + (m.phase() == MigrationPhase.OUTCOME_UNKNOWN ? "; its outcome is unknown, so it is counted as still "
                            + "running until its forecast end (resolve it to free its links)" : "");
            return new PlannedAround(m.id, m.vmName, m.sourceHostId, m.targetHostId, m.phase(), bytesPerSecond, untilMillis, why);
        }
    }

    static EvacuationPlanView of(HostView host, EvacuationPlanner.Plan plan, List<PlannedAround> plannedAround) {
        return new EvacuationPlanView(host.id(), host.name(), plan.concurrency(), plan.predictedMakespanMillis(),
                plan.moves().stream().map(m -> new Move(m.order(), m.vmId(), m.vmName(), m.targetHostId(), m.targetHostName(),
                        m.plannedStartMillis(), m.plannedEndMillis() - m.plannedStartMillis(), m.forecast().downtimeMillis())).toList(),
                plan.unplaceable(), plannedAround);
    }
}
