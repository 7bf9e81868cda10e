package dev.ferry.scheduler.service;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.CommandType;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    /** Longer than the consumers' longest retry wait (10 s) and a few of their passes. */
    static final Duration RECOVERY_GRACE = Duration.ofSeconds(30);

    @Inject
    SchedulerConfig config;

    private volatile Instant lastFailedPass;

    @Inject
    Commands commands;

    @Inject
    Outcomes outcomes;

    MigrationTimeouts.Settings settings() {
        return new MigrationTimeouts.Settings(config.queuedTimeout(), config.scheduledTimeout(), config.progressTimeout(),
                config.cancelTimeout());
    }

    @Scheduled(every = "${ferry.scheduler.watchdog-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        Instant now = Instant.now();
        if (lastFailedPass != null && now.isBefore(lastFailedPass.plus(RECOVERY_GRACE))) {
            // The database was away: events that arrived meanwhile are still being applied (their consumers retry with
            // a growing wait), and a migration silent in our rows may not be silent at all. Judge once they caught up.
            return Uni.createFrom().voidItem();
        }
        MigrationTimeouts.Settings s = settings();
        // A superset of the overdue: quiet for the shortest wait, queued long, past a deadline, or a cancel pending long.
        return Panache.withTransaction(() -> Migration.<Migration>find(
                        "phase in ?1 and (updatedAt < ?2 or createdAt < ?3 or deadline < ?4 or cancelRequestedAt < ?5)",
                        List.of(MigrationPhase.QUEUED, MigrationPhase.SCHEDULED, MigrationPhase.RUNNING),
                        now.minus(s.shortestWait()), now.minus(s.queued()), now, now.minus(s.cancel()))
                        .withLock(LockModeType.PESSIMISTIC_WRITE).list()
                        .flatMap(candidates -> endOverdue(candidates, now, s)))
                .onFailure().invoke(e -> {
                    lastFailedPass = Instant.now();
                    LOG.warnf("watchdog pass failed; judging again %d s after the database answers: %s",
                            RECOVERY_GRACE.toSeconds(), e.getMessage());
                })
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
        if (!overdue.vmOnSource()) {
            LOG.errorf("migration %s of VM %s ended by the scheduler, VM location unknown: %s", m.id, m.vmName, overdue.reason());
            m.failureReason = overdue.reason();
            return m.transition(overdue.endsIn(), overdue.reason(), now);
        }
        LOG.warnf("migration %s of VM %s ended by the scheduler: %s", m.id, m.vmName, overdue.reason());
        if (m.abortStatus == AbortStatus.REQUESTED) {
            m.abortStatus = AbortStatus.SUCCEEDED; // nobody runs it any more: the VM stays on the source
        }
        boolean workerMayRunIt = m.phase() != MigrationPhase.QUEUED;
        return outcomes.ended(m, overdue.endsIn(), overdue.reason(), now)
                .call(() -> workerMayRunIt ? commands.send(m, CommandType.CANCEL) : Uni.createFrom().voidItem());
    }
}
