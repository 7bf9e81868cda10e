package dev.ferry.scheduler.service;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.CommandType;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationTimeouts;
import dev.ferry.scheduler.model.MigrationTimeouts.Overdue;
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
 * Ends migrations that wait on someone else for too long, so that none stays stuck after a crash. Which ones are
 * overdue is {@link MigrationTimeouts}' decision; the query only narrows the rows to look at. Ending one records the
 * reason and, while the VM is known to be on its source, sends CANCEL (a worker that still runs it stops) and
 * publishes the outcome so that inventory releases the hold.
 */
@ApplicationScoped
public class MigrationWatchdog {
    private static final Logger LOG = Logger.getLogger(MigrationWatchdog.class);

    @Inject
    SchedulerConfig config;

    @Inject
    Commands commands;

    MigrationTimeouts.Settings settings() {
        return new MigrationTimeouts.Settings(config.queuedTimeout(), config.scheduledTimeout(), config.progressTimeout(),
                config.cancelTimeout());
    }

    @Scheduled(every = "${ferry.scheduler.watchdog-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        Instant now = Instant.now();
        MigrationTimeouts.Settings s = settings();
        // A superset of the overdue: quiet for the shortest wait, queued long, past a deadline, or a cancel pending long.
        return Panache.withTransaction(() -> Migration.<Migration>find(
                        "phase in ?1 and (updatedAt < ?2 or createdAt < ?3 or deadline < ?4 or cancelRequestedAt < ?5)",
                        List.of(MigrationPhase.QUEUED, MigrationPhase.SCHEDULED, MigrationPhase.RUNNING),
                        now.minus(s.shortestWait()), now.minus(s.queued()), now, now.minus(s.cancel()))
                        .withLock(LockModeType.PESSIMISTIC_WRITE).list()
                        .flatMap(candidates -> endOverdue(candidates, now, s)))
                .onFailure().invoke(e -> LOG.warn("watchdog pass failed; retrying on the next tick", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> endOverdue(List<Migration> candidates, Instant now, MigrationTimeouts.Settings s) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Migration m : candidates) {
            var overdue = MigrationTimeouts.check(MigrationTimeouts.Facts.of(m), now, s);
            if (overdue.isPresent()) {
                chain = chain.flatMap(x -> end(m, overdue.get(), now));
            }
        }
        return chain;
    }

    /**
     * Ends the migration, in the caller's transaction. When the VM is known to be on its source, also queues the cancel
     * command (a worker that still runs it stops) and the outcome (inventory frees the hold). When it is not (post-copy),
     * neither: a cancel cannot undo post-copy and the outcome would tell inventory the VM stayed, which nobody knows.
     */
    Uni<Void> end(Migration m, Overdue overdue, Instant now) {
        m.failureReason = overdue.reason();
        if (!overdue.vmOnSource()) {
            LOG.errorf("migration %s of VM %s ended by the scheduler, VM location unknown: %s", m.id, m.vmName, overdue.reason());
            return m.transition(overdue.endsIn(), overdue.reason(), now);
        }
        LOG.warnf("migration %s of VM %s ended by the scheduler: %s", m.id, m.vmName, overdue.reason());
        if (m.abortStatus == AbortStatus.REQUESTED) {
            m.abortStatus = AbortStatus.SUCCEEDED; // nobody runs it any more: the VM stays on the source
        }
        EventType type = overdue.endsIn() == MigrationPhase.CANCELLED ? EventType.MIGRATION_CANCELLED : EventType.MIGRATION_FAILED;
        MigrationEvent outcome = new MigrationEvent(UUID.randomUUID().toString(), type, m.id, m.attempt, m.lastSequence + 1, now,
                m.vmId, m.sourceHostId, m.targetHostId, m.reservationId == null ? 0 : m.reservationId, "scheduler", null,
                new MigrationOutcome(m.currentRound, m.bytesSent, 0, 0, overdue.reason(), m.driver, m.mode, m.abortStatus));
        return m.transition(overdue.endsIn(), overdue.reason(), now)
                .call(() -> commands.send(m, CommandType.CANCEL))
                .call(() -> commands.publish(outcome));
    }
}
