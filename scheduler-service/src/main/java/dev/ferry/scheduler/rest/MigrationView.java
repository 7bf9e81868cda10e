package dev.ferry.scheduler.rest;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.CommandType;
import dev.ferry.events.MigrationMode;
import dev.ferry.events.Principal;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationPriority;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.scheduler.model.PhaseTransition;
import dev.ferry.scheduler.model.TargetChoice;
import dev.ferry.scheduler.service.Commands;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A migration as the operator reads it: where it stands, how far it got, and how it got there. */
@Schema(example = "{\"id\": \"7d8e2f5c-2f61-4a7e-9a63-2c1a9d7c6a10\", \"vmId\": 1, \"vmName\": \"web-1\", \"memoryBytes\": 8589934592, \"sourceHostId\": 1, \"targetHostId\": 3, \"targetReason\": \"lowest predicted cost of 2 compatible host(s): hv-03, 7.5 s over 1250 MB/s with 0 inbound migration(s), keeps 51200 MiB free; next hv-02 at 7.5 s\", \"reservationId\": 12, \"priority\": \"USER\", \"deadline\": null, \"phase\": \"RUNNING\", \"mode\": \"PRE_COPY\", \"abortStatus\": \"NONE\", \"targetChoice\": \"PLACEMENT\", \"attempt\": 1, \"run\": 1, \"driver\": null, \"policy\": null, \"workerId\": \"4242@worker-1\", \"ownerId\": \"4242@worker-1\", \"leaseExpiresAt\": \"2026-11-25T20:00:22Z\", \"maxRetries\": 1, \"currentRound\": 2, \"bytesSent\": 9055207424, \"remainingBytes\": 182452224, \"dirtyRatePagesPerSecond\": 103200.0, \"bandwidthBytesPerSecond\": 1250000000.0, \"expectedDowntimeMillis\": 161, \"throttlePercent\": 0, \"progressPercent\": 98.0, \"downtimeMillis\": null, \"totalTimeMillis\": null, \"maxDowntimeMillis\": 50, \"failureReason\": null, \"prediction\": {\"rounds\": 5, \"totalTimeMillis\": 7530, \"downtimeMillis\": 46, \"basis\": \"learned from this VM's last migration (3 live rounds after the first): 98000 pages/s, hot set 113222 pages\", \"converges\": true}, \"etaMillis\": 1200, \"evacuationId\": null, \"cancelRequestedAt\": null, \"forceCompleteRequestedAt\": null, \"requestedBy\": {\"subject\": \"f3b1c2d4-6a7e-4b8c-9d0e-1f2a3b4c5d6e\", \"name\": \"operator\"}, \"cancelRequestedBy\": null, \"forceCompleteRequestedBy\": null, \"createdAt\": \"2026-11-25T20:00:00Z\", \"updatedAt\": \"2026-11-25T20:00:07Z\", \"history\": [{\"from\": null, \"to\": \"QUEUED\", \"at\": \"2026-11-25T20:00:00Z\", \"reason\": \"pre-checks passed for host 3; waiting for a migration slot\"}, {\"from\": \"QUEUED\", \"to\": \"SCHEDULED\", \"at\": \"2026-11-25T20:00:00.2Z\", \"reason\": \"slot free; destination host 3 reserved (reservation 12); start command queued\"}, {\"from\": \"SCHEDULED\", \"to\": \"RUNNING\", \"at\": \"2026-11-25T20:00:00.4Z\", \"reason\": \"worker 4242@worker-1 started round 1\"}], \"roundCount\": 1, \"rounds\": [{\"position\": 7, \"attempt\": 1, \"run\": 1, \"workerId\": \"4242@worker-1\", \"mode\": \"PRE_COPY\", \"round\": 1, \"bytesSent\": 8589934592, \"pagesDirtied\": 113222, \"dirtyRatePagesPerSecond\": 16480.0, \"bandwidthBytesPerSecond\": 1250000000.0, \"durationMillis\": 6872, \"remainingBytes\": 463757312, \"expectedDowntimeMillis\": 386, \"throttlePercent\": 0, \"decision\": \"CONTINUE\", \"reason\": \"expected downtime 386 ms above the 50 ms target (simulated)\", \"stopAndCopy\": false}]}")
public record MigrationView(
        UUID id,
        long vmId,
        String vmName,
        long memoryBytes,
        long sourceHostId,
        long targetHostId,
        String targetReason,
        Long reservationId,
        MigrationPriority priority,
        Instant deadline,
        MigrationPhase phase,
        MigrationMode mode,
        AbortStatus abortStatus,
        TargetChoice targetChoice,
        int attempt,
        int run,
        String driver,
        @Schema(description = "the convergence policy the request chose; null: the workers' default") String policy,
        String workerId,
        String ownerId,
        Instant leaseExpiresAt,
        int maxRetries,
        int currentRound,
        long bytesSent,
        long remainingBytes,
        double dirtyRatePagesPerSecond,
        double bandwidthBytesPerSecond,
        long expectedDowntimeMillis,
        int throttlePercent,
        double progressPercent,
        Long downtimeMillis,
        Long totalTimeMillis,
        long maxDowntimeMillis,
        String failureReason,
        Prediction prediction,
        Long etaMillis,
        UUID evacuationId,
        Instant cancelRequestedAt,
        Instant forceCompleteRequestedAt,
        Principal requestedBy,
        Principal cancelRequestedBy,
        Principal forceCompleteRequestedBy,
        Instant createdAt,
        Instant updatedAt,
        List<Transition> history,
        long roundCount,
        List<Round> rounds) {

    /** How many of the newest rounds a view carries; GET /migrations/{id}/rounds pages through all of them. */
    public static final int LATEST_ROUNDS = 50;

    /** The forecast made before round 1, and the actual figures once the migration succeeded. */
    /** @param converges whether the forecast converged within the request's limits (null: not known, an older row) */
    public record Prediction(Integer rounds, Long totalTimeMillis, Long downtimeMillis, String basis, Boolean converges) {
    }

    public record Transition(MigrationPhase from, MigrationPhase to, Instant at, String reason) {
    }

    /** @param position the round's place in the migration's history, the cursor of GET /migrations/{id}/rounds */
    @Schema(name = "Round", example = "{\"position\": 7, \"attempt\": 1, \"run\": 1, \"workerId\": \"4242@worker-1\", \"mode\": \"PRE_COPY\", \"round\": 1, \"bytesSent\": 8589934592, \"pagesDirtied\": 113222, \"dirtyRatePagesPerSecond\": 16480.0, \"bandwidthBytesPerSecond\": 1250000000.0, \"durationMillis\": 6872, \"remainingBytes\": 463757312, \"expectedDowntimeMillis\": 386, \"throttlePercent\": 0, \"decision\": \"CONTINUE\", \"reason\": \"expected downtime 386 ms above the 50 ms target (simulated)\", \"stopAndCopy\": false}")
    public record Round(long position, int attempt, int run, String workerId, MigrationMode mode, int round, long bytesSent, long pagesDirtied, double dirtyRatePagesPerSecond,
            double bandwidthBytesPerSecond, long durationMillis, long remainingBytes, long expectedDowntimeMillis,
            int throttlePercent, String decision, String reason, boolean stopAndCopy) {
    }

    public static MigrationView of(Migration m, List<PhaseTransition> history, long roundCount, List<MigrationRound> rounds) {
        return new MigrationView(m.id, m.vmId, m.vmName, m.memoryBytes, m.sourceHostId, m.targetHostId, m.targetReason,
                m.reservationId, m.priority, m.deadline, m.phase(), m.mode, m.abortStatus, m.targetChoice, m.attempt, m.run, m.driver, m.policy,
                m.workerId, m.ownerId, m.leaseExpiresAt, m.maxRetries, m.currentRound, m.bytesSent,
                m.remainingBytes, m.dirtyRatePagesPerSecond, m.bandwidthBytesPerSecond, m.expectedDowntimeMillis,
                m.throttlePercent, m.progressPercent, m.downtimeMillis, m.totalTimeMillis, m.maxDowntimeMillis,
                m.failureReason, new Prediction(m.predictedRounds, m.predictedTotalTimeMillis, m.predictedDowntimeMillis,
                        m.predictionBasis, m.predictedConverges), eta(m, history), m.evacuationId, m.cancelRequestedAt, m.forceCompleteRequestedAt, m.requester(),
                Commands.requestedBy(m, CommandType.CANCEL), Commands.requestedBy(m, CommandType.FORCE_COMPLETE), m.createdAt, m.updatedAt,
                history.stream().map(t -> new Transition(t.fromPhase, t.toPhase, t.at, t.reason)).toList(), roundCount,
                rounds.stream().map(MigrationView::round).toList());
    }

    /** The view of {@code m} with its history and latest rounds, read in the caller's session. */
    public static io.smallrye.mutiny.Uni<MigrationView> read(Migration m) {
        return PhaseTransition.<PhaseTransition>list("migrationId = ?1 order by id", m.id)
                .flatMap(history -> MigrationRound.count("migrationId", m.id)
                        .flatMap(count -> MigrationRound.latest(m.id, LATEST_ROUNDS)
                                .map(rounds -> of(m, history, count, rounds))));
    }

    public static Round round(MigrationRound r) {
        return new Round(r.id, r.attempt, r.run, r.workerId, r.mode, r.round, r.bytesSent, r.pagesDirtied, r.dirtyRatePagesPerSecond,
                        r.bandwidthBytesPerSecond, r.durationMillis, r.remainingBytes, r.expectedDowntimeMillis,
                        r.throttlePercent, r.decision, r.reason, r.stopAndCopy);
    }

    /**
     * Time left: the forecast's total minus the time since the first round, never below what the bytes
     * still to send need at the measured bandwidth. Null when final or nothing is known.
     */
    static Long eta(Migration m, List<PhaseTransition> history) {
        Instant started = history.stream().filter(t -> t.toPhase == MigrationPhase.RUNNING).map(t -> t.at).findFirst().orElse(null);
        return m.etaMillis(started, Instant.now());
    }
}
