package dev.ferry.scheduler.rebalance;

import dev.ferry.scheduler.plan.MeasuredLoad;
import dev.ferry.scheduler.plan.RebalancePlanner;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What {@code POST /clusters/{id}/rebalance} answers: the imbalance before and after, every move with its forecast and
 * what they cost together (both at the shares of the links the moves get when they run together), how long they take
 * played out so ({@code predictedMakespanMillis}), and
 * the VMs a move would have helped but none was allowed, with why; how the VMs' CPU use was known
 * ({@code measuredCpu}: measured recently by their hosts, or estimated; under half measured: allocation alone); with the
 * queued migrations' ids unless it was a dry run.
 */
@Schema(name = "RebalancePlan", example = "{\"clusterId\": 1, \"imbalanceBefore\": 0.31, \"imbalanceAfter\": 0.04, "
        + "\"moves\": [{\"order\": 1, \"vmId\": 5, \"vmName\": \"app-1\", \"fromHostId\": 2, \"toHostId\": 3, \"toHostName\": "
        + "\"hv-03\", \"predictedTotalTimeMillis\": 5500, \"predictedDowntimeMillis\": 22, \"predictedBytes\": 4400000000, "
        + "\"imbalanceAfter\": 0.17, \"migrationId\": null}], \"cost\": {\"bytes\": 4400000000, \"totalTimeMillis\": 5500, "
        + "\"downtimeMillis\": 22, \"throttleSeconds\": 0.0}, \"predictedMakespanMillis\": 5500, \"notMoved\": [{\"vmId\": 7, "
        + "\"vmName\": \"db-1\", \"reasons\": [\"hv-03: placement rule 'db-apart' keeps VM db-1 apart from db-2, which runs on "
        + "hv-03\"]}], \"measuredCpu\": {\"vmsMeasured\": 14, \"vmsEstimated\": 2, \"estimatedCoresPerVcpu\": 0.31, \"vcpusMeasuredShare\": 0.9, "
        + "\"oldestMeasuredAt\": \"2026-12-04T21:00:00Z\"}, \"dryRun\": true}")
public record RebalancePlanView(long clusterId, double imbalanceBefore, double imbalanceAfter, List<Move> moves,
        RebalancePlanner.Cost cost, long predictedMakespanMillis, List<RebalancePlanner.NotMoved> notMoved,
        MeasuredLoad.Summary measuredCpu, boolean dryRun) {

    /** @param migrationId the queued migration; null in a dry run */
    public record Move(int order, long vmId, String vmName, long fromHostId, long toHostId, String toHostName,
            long predictedTotalTimeMillis, long predictedDowntimeMillis, long predictedBytes, double imbalanceAfter, UUID migrationId) {
    }

    static RebalancePlanView of(long clusterId, RebalancePlanner.PlayedOut played, MeasuredLoad.Summary cpu, List<UUID> migrationIds) {
        RebalancePlanner.Plan plan = played.plan();
        List<Move> moves = new java.util.ArrayList<>();
        for (RebalancePlanner.Move m : plan.moves()) {
            moves.add(new Move(moves.size() + 1, m.vmId(), m.vmName(), m.fromHostId(), m.toHostId(), m.toHostName(),
                    m.forecast().totalTimeMillis(), m.forecast().downtimeMillis(), m.forecast().bytesSent(), m.imbalanceAfter(),
                    migrationIds == null ? null : migrationIds.get(moves.size())));
        }
        return new RebalancePlanView(clusterId, plan.imbalanceBefore(), plan.imbalanceAfter(), moves, plan.cost(),
                played.makespanMillis(), plan.notMoved(), cpu, migrationIds == null);
    }
}
