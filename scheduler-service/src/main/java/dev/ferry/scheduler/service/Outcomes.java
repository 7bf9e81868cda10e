package dev.ferry.scheduler.service;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Discrepancy;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;

/**
 * The scheduler's decisions about how migrations end: the one authority for a migration's final phase. Every end
 * (a worker's outcome accepted, a timeout, a cancel or a refusal before any worker ran it, an operator's statement)
 * comes through here, changes the phase and publishes the decision on the workers' topic in the scheduler's name,
 * through the outbox in the same transaction. Inventory moves a VM or frees a hold on those decisions only. A
 * migration whose outcome nobody knows gets the decision {@link EventType#OUTCOME_UNKNOWN}: inventory keeps the hold,
 * and the discrepancy list shows it to an operator.
 */
@ApplicationScoped
public class Outcomes {

    @Inject
    Commands commands;

    @Inject
    Discrepancies discrepancies;

    /** The worker id the scheduler's own decisions carry. */
    public static final String SCHEDULER = MigrationEvent.SCHEDULER;

    /** Ends {@code m} in {@code endsIn} (FAILED or CANCELLED) for a reason of the scheduler's own. */
    public Uni<Void> ended(Migration m, MigrationPhase endsIn, String reason, Instant now) {
        m.failureReason = reason;
        return decided(m, endsIn, reason, "the scheduler ended the migration itself", now);
    }

    /**
     * Moves {@code m} to a final phase (or OUTCOME_UNKNOWN) and publishes that decision, in the caller's transaction.
     * {@code why} says in the audit trail what the decision rests on.
     */
    public Uni<Void> decided(Migration m, MigrationPhase to, String reason, String why, Instant now) {
        MigrationEvent decision = decision(m, to, now);
        AuditEntry audit = AuditEntry.of(m.id, AuditEntry.SENT, decision.type().name(), decision.eventId(), m.attempt,
                decision.sequence(), EventCodec.toJson(decision));
        audit.note = "decision: " + why;
        if (to.isFinal()) {
            m.ownerId = null; // nobody may act on the hypervisor for a decided migration
            m.leaseExpiresAt = null;
        }
        return m.transition(to, reason, now).call(() -> audit.persist()).call(() -> commands.publish(m, decision));
    }

    /** Nobody can tell where the VM runs: the hold stays, and an operator is asked to say. */
    public Uni<Void> unknown(Migration m, String reason, Instant now) {
        m.failureReason = reason;
        return decided(m, MigrationPhase.OUTCOME_UNKNOWN, reason, "nobody can confirm where the VM runs; inventory keeps the hold", now)
                .call(() -> discrepancies.raise(m.id, Discrepancy.OUTCOME_UNKNOWN, reason
                        + ". State where VM " + m.vmName + " runs: POST /migrations/" + m.id + "/resolve with host "
                        + m.sourceHostId + " (source) or " + m.targetHostId + " (destination)", null, now));
    }

    static MigrationEvent decision(Migration m, MigrationPhase to, Instant now) {
        EventType type = switch (to) {
            case SUCCEEDED -> EventType.MIGRATION_SUCCEEDED;
            case FAILED -> EventType.MIGRATION_FAILED;
            case CANCELLED -> EventType.MIGRATION_CANCELLED;
            case OUTCOME_UNKNOWN -> EventType.OUTCOME_UNKNOWN;
            default -> throw new IllegalArgumentException("not a decision: " + to);
        };
        boolean succeeded = to == MigrationPhase.SUCCEEDED;
        MigrationOutcome outcome = new MigrationOutcome(m.currentRound, m.bytesSent,
                succeeded && m.downtimeMillis != null ? m.downtimeMillis : 0,
                m.totalTimeMillis != null ? m.totalTimeMillis : 0, succeeded ? null : m.failureReason, m.driver, m.mode,
                AbortStatus.orDefault(m.abortStatus));
        return new MigrationEvent(UUID.randomUUID().toString(), type, m.id, m.attempt, m.lastSequence + 1, now, m.vmId,
                m.sourceHostId, m.targetHostId, m.reservationId == null ? 0 : m.reservationId, SCHEDULER, null, outcome);
    }
}
