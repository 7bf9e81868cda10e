package dev.ferry.scheduler.service;

import dev.ferry.events.DirtyPageRound;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.scheduler.model.PhaseTransition;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * What a worker's event does to a migration. Every event is kept in the audit trail; only a current,
 * in-order event of a non-final migration changes it, so duplicates, stale attempts and late arrivals
 * never move a phase backwards. Runs inside the consumer's transaction.
 */
@ApplicationScoped
public class MigrationEvents {
    private static final Logger LOG = Logger.getLogger(MigrationEvents.class);

    public Uni<Void> apply(MigrationEvent event, String payload) {
        AuditEntry audit = AuditEntry.of(event.migrationId(), AuditEntry.RECEIVED, event.type().name(), event.eventId(),
                event.attempt(), event.sequence(), payload);
        return Migration.<Migration>findById(event.migrationId(), LockModeType.PESSIMISTIC_WRITE).flatMap(m -> {
            if (m == null) {
                LOG.warnf("event %s for unknown migration %s ignored", event.eventId(), event.migrationId());
                return Uni.createFrom().voidItem();
            }
            audit.note = ignoreReason(m, event);
            if (audit.note != null) {
                return audit.persist().replaceWithVoid();
            }
            return audit.persist().flatMap(x -> change(m, event));
        });
    }

    private static String ignoreReason(Migration m, MigrationEvent event) {
        if (event.attempt() < m.attempt) {
            return "ignored: attempt " + event.attempt() + " is older than the current attempt " + m.attempt;
        }
        if (m.phase.isFinal()) {
            return "ignored: migration already " + m.phase;
        }
        if (event.type() == EventType.ROUND_COMPLETED && event.sequence() <= m.lastSequence) {
            return "ignored: sequence " + event.sequence() + " arrived after " + m.lastSequence;
        }
        return null;
    }

    private Uni<Void> change(Migration m, MigrationEvent event) {
        String previousWorker = m.workerId;
        m.workerId = event.workerId();
        m.lastSequence = Math.max(m.lastSequence, event.sequence());
        m.updatedAt = Instant.now();
        if (event.type() == EventType.MIGRATION_STARTED && previousWorker != null && !previousWorker.equals(event.workerId())) {
            return takenOver(m, event, previousWorker);
        }
        return switch (event.type()) {
            case HEARTBEAT -> Uni.createFrom().voidItem(); // updatedAt moved above: the progress timer restarts
            case MIGRATION_STARTED -> moveTo(m, MigrationPhase.RUNNING, "worker " + event.workerId() + " started round 1");
            case ROUND_COMPLETED -> startedIfNeeded(m, event).flatMap(x -> round(m, event));
            case MIGRATION_SUCCEEDED -> {
                var o = event.outcome();
                m.driver = o.driver();
                m.downtimeMillis = o.downtimeMillis();
                m.totalTimeMillis = o.totalTimeMillis();
                m.bytesSent = o.totalBytesSent();
                m.currentRound = o.rounds();
                m.remainingBytes = 0;
                m.progressPercent = 100;
                yield moveTo(m, MigrationPhase.SUCCEEDED, "VM runs on host " + m.targetHostId + " after " + o.rounds()
                        + " rounds; downtime " + o.downtimeMillis() + " ms");
            }
            case MIGRATION_FAILED -> {
                m.failureReason = event.outcome().failureReason();
                yield moveTo(m, MigrationPhase.FAILED, m.failureReason);
            }
            case MIGRATION_CANCELLED -> {
                m.failureReason = event.outcome().failureReason();
                yield moveTo(m, MigrationPhase.CANCELLED, m.failureReason != null ? m.failureReason : "cancelled");
            }
        };
    }

    /**
     * Another worker started the migration over: the first died after accepting the start but before Kafka recorded
     * it, so the command was delivered again. Its run replaces the old one: rounds restart at 1 and its sequence
     * numbers at 1, so the old run's rounds and sequence are dropped.
     */
    private Uni<Void> takenOver(Migration m, MigrationEvent event, String previousWorker) {
        LOG.warnf("migration %s taken over by worker %s from %s", m.id, event.workerId(), previousWorker);
        m.lastSequence = event.sequence();
        m.currentRound = 0;
        m.bytesSent = 0;
        m.remainingBytes = 0;
        String reason = "worker " + event.workerId() + " took the migration over from " + previousWorker
                + " and started again at round 1";
        return MigrationRound.delete("migrationId = ?1 and attempt = ?2", m.id, event.attempt())
                .flatMap(x -> m.phase == MigrationPhase.RUNNING
                        ? PhaseTransition.of(m.id, m.phase, m.phase, reason).persist().replaceWithVoid()
                        : moveTo(m, MigrationPhase.RUNNING, reason));
    }

    private Uni<Void> startedIfNeeded(Migration m, MigrationEvent event) {
        return m.phase == MigrationPhase.SCHEDULED
                ? moveTo(m, MigrationPhase.RUNNING, "first round reported by worker " + event.workerId())
                : Uni.createFrom().voidItem();
    }

    private Uni<Void> round(Migration m, MigrationEvent event) {
        DirtyPageRound r = event.round();
        m.currentRound = r.round();
        m.bytesSent += r.bytesSent();
        m.remainingBytes = r.remainingBytes();
        m.dirtyRatePagesPerSecond = r.dirtyRatePagesPerSecond();
        m.bandwidthBytesPerSecond = r.bandwidthBytesPerSecond();
        m.expectedDowntimeMillis = r.expectedDowntimeMillis();
        m.throttlePercent = r.throttlePercent();
        m.progressPercent = Progress.next(m.progressPercent, m.bytesSent, m.remainingBytes);
        return MigrationRound.of(m.id, event.attempt(), r).persist().replaceWithVoid();
    }

    static Uni<Void> moveTo(Migration m, MigrationPhase to, String reason) {
        if (m.phase == to) {
            return Uni.createFrom().voidItem();
        }
        if (!m.phase.canMoveTo(to)) {
            LOG.warnf("migration %s: %s -> %s is not a legal transition; kept %s", m.id, m.phase, to, m.phase);
            return Uni.createFrom().voidItem();
        }
        PhaseTransition t = PhaseTransition.of(m.id, m.phase, to, reason);
        m.phase = to;
        m.updatedAt = Instant.now();
        return t.persist().replaceWithVoid();
    }
}
