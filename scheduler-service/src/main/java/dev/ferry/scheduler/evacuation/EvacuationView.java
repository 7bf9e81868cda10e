package dev.ferry.scheduler.evacuation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.scheduler.model.MigrationPhase;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An evacuation as the operator follows it: the plan, what cannot move and why, progress and ETA. */
@Schema(example = "{\"id\": \"3f0c...\", \"hostId\": 1, \"state\": \"RUNNING\", \"concurrency\": 2, \"predictedMakespanMillis\": 41000, "
        + "\"etaMillis\": 20500, \"progress\": {\"total\": 20, \"succeeded\": 10, \"failed\": 0, \"cancelled\": 0, \"inFlight\": 2, \"queued\": 8}, "
        + "\"moves\": [{\"order\": 1, \"migrationId\": \"7d8e...\", \"vmId\": 4, \"vmName\": \"db-1\", \"targetHostId\": 3, \"phase\": \"RUNNING\", "
        + "\"plannedStartMillis\": 0, \"predictedTotalTimeMillis\": 14000}], \"unplaceable\": [{\"vmId\": 9, \"vmName\": \"batch-1\", \"reason\": \"no compatible host: STORAGE_REACHABLE on hv-02, hv-03\"}]}")
public record EvacuationView(UUID id, long hostId, String state, int concurrency, long predictedMakespanMillis, Long etaMillis,
        Progress progress, List<Move> moves, JsonNode unplaceable, Instant createdAt, Instant cancelledAt) {

    public record Progress(int total, int succeeded, int failed, int cancelled, int inFlight, int queued) {
    }

    /** @param plannedStartMillis when the plan starts this move, from the evacuation's start (its Gantt bar's left end) */
    public record Move(int order, UUID migrationId, long vmId, String vmName, long targetHostId, MigrationPhase phase,
            long plannedStartMillis, Long predictedTotalTimeMillis, String failureReason) {
    }
}
