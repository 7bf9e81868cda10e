package dev.ferry.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.UUID;

/**
 * An event on {@link Topics#MIGRATION_EVENTS}, keyed by {@code migrationId}.
 *
 * @param eventId      unique id, the dedup key of every consumer
 * @param type         what happened
 * @param migrationId  the migration
 * @param attempt      attempt (epoch); consumers ignore events of attempts older than the one they know
 * @param sequence     1-based order of this event within its attempt
 * @param timestamp    when the worker emitted it
 * @param vmId         the VM that moves
 * @param sourceHostId where it runs before
 * @param targetHostId where it runs after success
 * @param reservationId the destination reservation in inventory
 * @param workerId     which worker ran it
 * @param round        set for {@link EventType#ROUND_COMPLETED}
 * @param outcome      set for the outcome types
 * @param measurement  set for {@link EventType#DIRTY_RATE_MEASURED}
 */
public record MigrationEvent(
        String eventId,
        EventType type,
        UUID migrationId,
        int attempt,
        long sequence,
        Instant timestamp,
        long vmId,
        long sourceHostId,
        long targetHostId,
        long reservationId,
        String workerId,
        DirtyPageRound round,
        MigrationOutcome outcome,
        DirtyMeasurement measurement) {

    /** An event that carries no measurement: every type but {@link EventType#DIRTY_RATE_MEASURED}. */
    public MigrationEvent(String eventId, EventType type, UUID migrationId, int attempt, long sequence, Instant timestamp,
            long vmId, long sourceHostId, long targetHostId, long reservationId, String workerId, DirtyPageRound round,
            MigrationOutcome outcome) {
        this(eventId, type, migrationId, attempt, sequence, timestamp, vmId, sourceHostId, targetHostId, reservationId,
                workerId, round, outcome, null);
    }

    /**
     * The worker id of the scheduler's decisions. The scheduler alone decides a migration's final phase; it publishes
     * each decision (an outcome type, or {@link EventType#OUTCOME_UNKNOWN}) on this topic in its own name, and
     * inventory moves a VM or frees a hold only on such a decision, never on a worker's report.
     */
    public static final String SCHEDULER = "scheduler";

    /**
     * True for the scheduler's decision about a migration's end, the only event inventory applies. Not on the wire:
     * it follows from workerId and type, and a published field is a promise (docs/events).
     */
    @JsonIgnore
    public boolean isDecision() {
        return SCHEDULER.equals(workerId) && (type.isOutcome() || type == EventType.OUTCOME_UNKNOWN);
    }

    /** Checks what consumers rely on; an event failing this goes to the dead-letter topic. */
    public MigrationEvent validate() {
        require(eventId != null && !eventId.isBlank(), "eventId is missing");
        require(type != null, "type is missing");
        require(migrationId != null, "migrationId is missing");
        require(attempt >= 1, "attempt must be >= 1");
        require(sequence >= 1, "sequence must be >= 1");
        require(type != EventType.ROUND_COMPLETED || round != null, "ROUND_COMPLETED without round");
        require(!type.isOutcome() || outcome != null, type + " without outcome");
        require(type != EventType.DIRTY_RATE_MEASURED || (measurement != null && measurement.valid()),
                "DIRTY_RATE_MEASURED without windows of positive length, or with a zero share outside 0 to 1");
        require(type != EventType.OUTCOME_UNKNOWN || SCHEDULER.equals(workerId) || outcome != null,
                "a worker's OUTCOME_UNKNOWN without an outcome saying why");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new InvalidRecordException("invalid migration event: " + message);
        }
    }
}
