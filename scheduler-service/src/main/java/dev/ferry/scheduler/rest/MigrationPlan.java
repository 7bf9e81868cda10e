package dev.ferry.scheduler.rest;

import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.TargetChoice;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What {@code POST /migrations?dryRun=true} answers: the migration the request would start, nothing recorded,
 * reserved or sent. The same pre-checks, placement and forecast as a real request, at this moment.
 */
@Schema(name = "MigrationPlan", example = "{\"vmId\": 1, \"vmName\": \"web-1\", \"memoryBytes\": 8589934592, "
        + "\"sourceHostId\": 1, \"targetHostId\": 3, \"targetChoice\": \"PLACEMENT\", \"targetReason\": \"lowest predicted "
        + "cost of 2 compatible host(s): hv-03, 7.4 s over 1250 MB/s with 0 inbound migration(s), keeps 51200 MiB free\", "
        + "\"maxDowntimeMillis\": 300, \"prediction\": {\"rounds\": 7, \"totalTimeMillis\": 7400, \"downtimeMillis\": 22, "
        + "\"basis\": \"assumed typical dirty rate; forecast by running policy ferry in virtual time\", \"converges\": true}, \"policy\": null}")
public record MigrationPlan(long vmId, String vmName, long memoryBytes, long sourceHostId, long targetHostId,
        TargetChoice targetChoice, String targetReason, long maxDowntimeMillis, MigrationView.Prediction prediction, String policy) {

    static MigrationPlan of(Migration m) {
        return new MigrationPlan(m.vmId, m.vmName, m.memoryBytes, m.sourceHostId, m.targetHostId, m.targetChoice, m.targetReason,
                m.maxDowntimeMillis, new MigrationView.Prediction(m.predictedRounds, m.predictedTotalTimeMillis,
                        m.predictedDowntimeMillis, m.predictionBasis, m.predictedConverges), m.policy);
    }
}
