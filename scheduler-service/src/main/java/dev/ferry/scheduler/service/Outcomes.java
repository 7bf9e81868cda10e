package dev.ferry.scheduler.service;

import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;

/**
 * A migration the scheduler ends itself (a timeout, a cancel or a refusal before any worker ran it): the phase, and its
 * outcome in the workers' own words on their topic, through the outbox in the same transaction. Inventory frees
 * whatever it holds for the migration on that outcome, even a hold nobody on this side knows of (reserved just
 * before a timeout, or given back while inventory was away): no hold outlives its migration by more than the time
 * the outcome takes to arrive.
 */
@ApplicationScoped
public class Outcomes {

    @Inject
    Commands commands;

    /** The worker id the scheduler's own outcomes carry. */
    public static final String SCHEDULER = "scheduler";

    /** Ends {@code m} in {@code endsIn} (FAILED or CANCELLED) with the reason, in the caller's transaction. */
    public Uni<Void> ended(Migration m, MigrationPhase endsIn, String reason, Instant now) {
        m.failureReason = reason;
        EventType type = endsIn == MigrationPhase.CANCELLED ? EventType.MIGRATION_CANCELLED : EventType.MIGRATION_FAILED;
        MigrationEvent outcome = new MigrationEvent(UUID.randomUUID().toString(), type, m.id, m.attempt, m.lastSequence + 1, now,
                m.vmId, m.sourceHostId, m.targetHostId, m.reservationId == null ? 0 : m.reservationId, SCHEDULER, null,
                new MigrationOutcome(m.currentRound, m.bytesSent, 0, 0, reason, m.driver, m.mode, m.abortStatus));
        AuditEntry audit = AuditEntry.of(m.id, AuditEntry.SENT, type.name(), outcome.eventId(), m.attempt, outcome.sequence(),
                EventCodec.toJson(outcome));
        audit.note = "published by the scheduler, so that inventory frees any hold it keeps for the migration";
        return m.transition(endsIn, reason, now).call(() -> audit.persist()).call(() -> commands.publish(outcome));
    }
}
