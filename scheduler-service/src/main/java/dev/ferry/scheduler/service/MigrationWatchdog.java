package dev.ferry.scheduler.service;

import dev.ferry.events.CommandType;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.events.Topics;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Ends migrations that wait on a worker for too long, so that none stays stuck after a crash.
 * Each timeout fails the migration with the reason, sends CANCEL (a worker that still runs it stops and
 * leaves the VM on the source) and publishes MIGRATION_FAILED so that inventory releases the hold.
 */
@ApplicationScoped
public class MigrationWatchdog {
    private static final Logger LOG = Logger.getLogger(MigrationWatchdog.class);

    @Inject
    SchedulerConfig config;

    @Inject
    Commands commands;

    @Scheduled(every = "${ferry.scheduler.watchdog-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> Migration.<Migration>find(
                        "(phase = ?1 and updatedAt < ?2) or (phase = ?3 and updatedAt < ?4) "
                                + "or (phase in (?1, ?3) and cancelRequestedAt < ?5) "
                                + "or (phase = ?6 and createdAt < ?7) or (phase in (?1, ?3, ?6) and deadline < ?8)",
                        MigrationPhase.SCHEDULED, now.minus(config.scheduledTimeout()),
                        MigrationPhase.RUNNING, now.minus(config.progressTimeout()), now.minus(config.cancelTimeout()),
                        MigrationPhase.QUEUED, now.minus(config.queuedTimeout()), now)
                        .withLock(LockModeType.PESSIMISTIC_WRITE).list()
                        .flatMap(this::timeOut))
                .onFailure().invoke(e -> LOG.warn("watchdog pass failed; retrying on the next tick", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> timeOut(List<Migration> overdue) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Migration m : overdue) {
            chain = chain.flatMap(x -> m.cancelRequestedAt != null ? cancelUnconfirmed(m) : fail(m, reasonFor(m)));
        }
        return chain;
    }

    private String reasonFor(Migration m) {
        if (m.deadline != null && m.deadline.isBefore(Instant.now())) {
            return "past the operator's deadline " + m.deadline + " in phase " + m.phase + " (round " + m.currentRound
                    + "); the VM stays on the source";
        }
        if (m.phase == MigrationPhase.QUEUED) {
            return "queued for " + config.queuedTimeout().toMinutes() + " min without a free migration slot";
        }
        return m.phase == MigrationPhase.SCHEDULED
                ? "no worker picked the migration up within " + config.scheduledTimeout().toSeconds() + " s"
                : "no progress from worker " + m.workerId + " for " + config.progressTimeout().toSeconds()
                        + " s (last round " + m.currentRound + ")";
    }

    /** No worker confirmed the cancel: the one that had it is gone, so the VM still runs on the source. */
    private Uni<Void> cancelUnconfirmed(Migration m) {
        String reason = "cancelled by the operator; no worker confirmed within " + config.cancelTimeout().toSeconds()
                + " s, so the scheduler ended it (the VM runs on the source)";
        return end(m, MigrationPhase.CANCELLED, EventType.MIGRATION_CANCELLED, reason);
    }

    Uni<Void> fail(Migration m, String reason) {
        return end(m, MigrationPhase.FAILED, EventType.MIGRATION_FAILED, reason);
    }

    /** Ends the migration and queues the cancel command and the outcome event, all in the caller's transaction. */
    private Uni<Void> end(Migration m, MigrationPhase phase, EventType outcome, String reason) {
        LOG.warnf("migration %s of VM %s ended by the scheduler: %s", m.id, m.vmName, reason);
        m.failureReason = reason;
        MigrationEvent failed = new MigrationEvent(UUID.randomUUID().toString(), outcome, m.id,
                m.attempt, m.lastSequence + 1, Instant.now(), m.vmId, m.sourceHostId, m.targetHostId,
                m.reservationId == null ? 0 : m.reservationId,
                "scheduler", null, new MigrationOutcome(m.currentRound, m.bytesSent, 0, 0, reason, m.driver));
        return MigrationEvents.moveTo(m, phase, reason)
                .call(() -> commands.send(m, CommandType.CANCEL))
                .call(() -> commands.publish(failed))
                .replaceWithVoid();
    }
}
