package dev.ferry.scheduler.service;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.DirtyPageRound;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationMode;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationRound;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * What a worker's event does to a migration. Every event is kept in the audit trail; only a current, in-order event
 * of a non-final migration changes it, so duplicates, stale attempts, a replaced worker and late arrivals never move a
 * phase backwards. Those checks come first; what remains goes through {@link Migration#transition}. Runs inside the
 * consumer's transaction.
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
            if (Outcomes.SCHEDULER.equals(event.workerId()) && m.phase().isFinal()) {
                return Uni.createFrom().voidItem(); // our own outcome coming back: audited when it was sent
            }
            audit.note = ignoreReason(m, event);
            if (audit.note != null) {
                return audit.persist().replaceWithVoid();
            }
            return change(m, event, audit, Instant.now()).call(() -> audit.persist());
        });
    }

    /** Why an event must not change the migration, or null when it may. */
    static String ignoreReason(Migration m, MigrationEvent event) {
        if (event.attempt() < m.attempt) {
            return "ignored: attempt " + event.attempt() + " is older than the current attempt " + m.attempt;
        }
        if (m.phase().isFinal()) {
            return "ignored: migration already " + m.phase();
        }
        boolean takeover = event.type() == EventType.MIGRATION_STARTED && m.workerId != null && !m.workerId.equals(event.workerId());
        if (!takeover && m.workerId != null && !m.workerId.equals(event.workerId())) {
            return "ignored: worker " + event.workerId() + " no longer runs it; worker " + m.workerId + " took it over (run " + m.run + ")";
        }
        if (event.type() == EventType.ROUND_COMPLETED && event.sequence() <= m.lastSequence) {
            return "ignored: sequence " + event.sequence() + " arrived after " + m.lastSequence;
        }
        return null;
    }

    private Uni<Void> change(Migration m, MigrationEvent event, AuditEntry audit, Instant now) {
        if (event.type() == EventType.MIGRATION_STARTED && m.workerId != null && !m.workerId.equals(event.workerId())) {
            return takenOver(m, event, audit, now);
        }
        m.workerId = event.workerId();
        m.lastSequence = Math.max(m.lastSequence, event.sequence());
        m.updatedAt = now; // a word from the worker: the progress timer restarts
        return switch (event.type()) {
            case HEARTBEAT -> Uni.createFrom().voidItem();
            case MIGRATION_STARTED -> m.phase() != MigrationPhase.RUNNING
                    ? m.transition(MigrationPhase.RUNNING, "worker " + event.workerId() + " started round 1", now)
                    : Uni.createFrom().voidItem();
            case ROUND_COMPLETED -> startedIfNeeded(m, event, now).flatMap(x -> round(m, event));
            case MIGRATION_SUCCEEDED -> {
                MigrationOutcome o = event.outcome();
                outcome(m, event);
                m.downtimeMillis = o.downtimeMillis();
                m.totalTimeMillis = o.totalTimeMillis();
                m.bytesSent = o.totalBytesSent();
                m.currentRound = o.rounds();
                m.remainingBytes = 0;
                m.progressPercent = 100;
                yield m.transition(MigrationPhase.SUCCEEDED, "VM runs on host " + m.targetHostId + " after " + o.rounds()
                        + " rounds" + (m.mode == MigrationMode.POST_COPY ? " (post-copy)" : "") + "; downtime "
                        + o.downtimeMillis() + " ms" + (m.abortStatus == AbortStatus.FAILED ? "; the cancel came too late" : ""), now);
            }
            case MIGRATION_FAILED -> {
                outcome(m, event);
                m.failureReason = event.outcome().failureReason();
                yield m.transition(MigrationPhase.FAILED, m.failureReason, now);
            }
            case MIGRATION_CANCELLED -> {
                outcome(m, event);
                m.failureReason = event.outcome().failureReason();
                yield m.transition(MigrationPhase.CANCELLED, m.failureReason != null ? m.failureReason : "cancelled", now);
            }
        };
    }

    /** What the outcome says beside the phase: how it ended (mode) and what came of a cancel. */
    private static void outcome(Migration m, MigrationEvent event) {
        MigrationOutcome o = event.outcome();
        m.driver = o.driver();
        if (MigrationMode.orDefault(o.mode()) == MigrationMode.POST_COPY) {
            m.mode = MigrationMode.POST_COPY;
        }
        AbortStatus reported = AbortStatus.orDefault(o.abortStatus());
        if (reported != AbortStatus.NONE) {
            m.abortStatus = reported;
        } else if (m.abortStatus == AbortStatus.REQUESTED) {
            // the worker ended before it saw the cancel: the VM is where the outcome says
            m.abortStatus = event.type() == EventType.MIGRATION_SUCCEEDED ? AbortStatus.FAILED : AbortStatus.SUCCEEDED;
        }
    }

    /**
     * Another worker started the migration over: the first died after taking the start but before Kafka recorded it,
     * so the command was delivered again. Its rounds are appended as the next run of the attempt; the first run's
     * rounds stay in the history, and events of the replaced worker no longer count.
     */
    private Uni<Void> takenOver(Migration m, MigrationEvent event, AuditEntry audit, Instant now) {
        String previous = m.workerId;
        LOG.warnf("migration %s taken over by worker %s from %s", m.id, event.workerId(), previous);
        m.run++;
        m.workerId = event.workerId();
        m.lastSequence = event.sequence();
        m.currentRound = 0;
        m.bytesSent = 0;
        m.remainingBytes = m.memoryBytes;
        m.updatedAt = now;
        String reason = "worker " + event.workerId() + " took the migration over from " + previous + " and started again at "
                + "round 1 (run " + m.run + " of attempt " + m.attempt + "; the rounds of earlier runs are kept)";
        audit.note = "applied: " + reason;
        return m.phase() != MigrationPhase.RUNNING ? m.transition(MigrationPhase.RUNNING, reason, now) : Uni.createFrom().voidItem();
    }

    /** A round means the migration runs; from QUEUED (never sent to a worker) that is an illegal transition. */
    private static Uni<Void> startedIfNeeded(Migration m, MigrationEvent event, Instant now) {
        return m.phase() != MigrationPhase.RUNNING
                ? m.transition(MigrationPhase.RUNNING, "first round reported by worker " + event.workerId(), now)
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
        if (MigrationMode.orDefault(r.mode()) == MigrationMode.POST_COPY) {
            m.mode = MigrationMode.POST_COPY;
        }
        m.progressPercent = Progress.next(m.progressPercent, m.bytesSent, m.remainingBytes);
        return MigrationRound.of(m.id, event.attempt(), m.run, event.workerId(), r).persist().replaceWithVoid();
    }
}
