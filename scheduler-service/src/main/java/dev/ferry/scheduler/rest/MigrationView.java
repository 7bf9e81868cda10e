package dev.ferry.scheduler.rest;

import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationPriority;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.scheduler.model.PhaseTransition;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A migration as the operator reads it: where it stands, how far it got, and how it got there. */
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
        String mode,
        int attempt,
        String driver,
        String workerId,
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
        Instant createdAt,
        Instant updatedAt,
        List<Transition> history,
        List<Round> rounds) {

    /** The forecast made before round 1, and the actual figures once the migration succeeded. */
    public record Prediction(Integer rounds, Long totalTimeMillis, Long downtimeMillis, String basis) {
    }

    public record Transition(MigrationPhase from, MigrationPhase to, Instant at, String reason) {
    }

    public record Round(int attempt, int round, long bytesSent, long pagesDirtied, double dirtyRatePagesPerSecond,
            double bandwidthBytesPerSecond, long durationMillis, long remainingBytes, long expectedDowntimeMillis,
            int throttlePercent, String decision, String reason, boolean stopAndCopy) {
    }

    public static MigrationView of(Migration m, List<PhaseTransition> history, List<MigrationRound> rounds) {
        return new MigrationView(m.id, m.vmId, m.vmName, m.memoryBytes, m.sourceHostId, m.targetHostId, m.targetReason,
                m.reservationId, m.priority, m.deadline, m.phase, "PRE_COPY", m.attempt, m.driver, m.workerId, m.currentRound, m.bytesSent,
                m.remainingBytes, m.dirtyRatePagesPerSecond, m.bandwidthBytesPerSecond, m.expectedDowntimeMillis,
                m.throttlePercent, m.progressPercent, m.downtimeMillis, m.totalTimeMillis, m.maxDowntimeMillis,
                m.failureReason, new Prediction(m.predictedRounds, m.predictedTotalTimeMillis, m.predictedDowntimeMillis,
                        m.predictionBasis), eta(m, history), m.evacuationId, m.cancelRequestedAt, m.forceCompleteRequestedAt, m.createdAt, m.updatedAt,
                history.stream().map(t -> new Transition(t.fromPhase, t.toPhase, t.at, t.reason)).toList(),
                rounds.stream().map(r -> new Round(r.attempt, r.round, r.bytesSent, r.pagesDirtied, r.dirtyRatePagesPerSecond,
                        r.bandwidthBytesPerSecond, r.durationMillis, r.remainingBytes, r.expectedDowntimeMillis,
                        r.throttlePercent, r.decision, r.reason, r.stopAndCopy)).toList());
    }

    /**
     * Time left: the forecast's total minus the time since the first round, never below what the bytes
     * still to send need at the measured bandwidth. Null when final or nothing is known.
     */
    static Long eta(Migration m, List<PhaseTransition> history) {
        if (m.phase.isFinal() || m.predictedTotalTimeMillis == null) {
            return m.phase.isFinal() ? 0L : null;
        }
        Instant started = history.stream().filter(t -> t.toPhase == MigrationPhase.RUNNING).map(t -> t.at).findFirst().orElse(null);
        long elapsed = started == null ? 0 : java.time.Duration.between(started, Instant.now()).toMillis();
        long byForecast = Math.max(0, m.predictedTotalTimeMillis - elapsed);
        long byBytes = m.bandwidthBytesPerSecond > 0 ? Math.round(m.remainingBytes * 1000.0 / m.bandwidthBytesPerSecond) : 0;
        return Math.max(byForecast, byBytes);
    }
}
