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
public record EvacuationView(UUID id, long hostId, String state, int concurrency, long predictedMakespanMillis,
        @Schema(description = "Time left, as the tracker last played the rest in the plan's link model from what its "
                + "migrations measured (its pass every few seconds); 0 once every migration has ended, null once cancelled") Long etaMillis,
        @Schema(description = "When it will end, as of now; null once ended or cancelled") Instant etaAt,
        Progress progress, List<Move> moves, JsonNode unplaceable, Instant createdAt, Instant cancelledAt,
        @Schema(description = "When its last migration ended; null while any runs") Instant finishedAt,
        @Schema(description = "Once ended: how far its ETA was off a quarter, half and three quarters of the way through") EtaError etaError) {

    /**
     * What the ETA said at 25, 50 and 75 % of the real makespan, less the real end, over the real makespan (positive: it
     * promised too late); and the same for the plan's own makespan, never updated.
     */
    public record EtaError(Double at25, Double at50, Double at75, double planAlone) {
    }

    public record Progress(int total, int succeeded, int failed, int cancelled, int inFlight, int queued) {
    }

    /** @param plannedStartMillis when the plan starts this move, from the evacuation's start (its Gantt bar's left end) */
    public record Move(int order, UUID migrationId, long vmId, String vmName, long targetHostId, MigrationPhase phase,
            long plannedStartMillis, Long predictedTotalTimeMillis, String failureReason) {
    }
}
