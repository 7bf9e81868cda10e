package dev.ferry.scheduler.service;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.CommandType;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationTimeouts;
import dev.ferry.scheduler.model.MigrationTimeouts.Overdue;
import dev.ferry.support.Transience;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Acts on migrations that wait on someone else for too long, so that none stays stuck after a crash: which ones are
 * overdue and what to do is {@link MigrationTimeouts}' decision (end, ask the worker to stop, retry after its worker
 * died, or declare the outcome unknown); the query only narrows the rows to look at.
 */
@ApplicationScoped
public class MigrationWatchdog {
    private static final Logger LOG = Logger.getLogger(MigrationWatchdog.class);

    /** Longer than the consumers' longest retry wait (10 s) and a few of their passes. */
    static final Duration RECOVERY_GRACE = Duration.ofSeconds(30);

    @Inject
    SchedulerConfig config;

    private volatile Instant lastFailedPass;

    /**
     * The migrations the last passes could not act on for a reason that does not pass by itself, and why: each is
     * logged in full once per cause, and counted ({@link MigrationMetrics#cannotActOn}) until acted on.
     */
    private final java.util.Map<UUID, String> failing = new java.util.concurrent.ConcurrentHashMap<>();

    @Inject
    Commands commands;

    @Inject
    LinkAllocation links;

    @Inject
    Outcomes outcomes;

    @Inject
    AttemptTraces traces;

    @Inject
    MigrationMetrics metrics;

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
        return Panache.withSession(() -> candidates(now, s))
                .flatMap(ids -> actOnEach(ids, s))
                .onFailure().invoke(e -> {
                    lastFailedPass = Instant.now();
                    LOG.warnf("watchdog pass failed; judging again %d s after the database answers: %s",
                            RECOVERY_GRACE.toSeconds(), e.getMessage());
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * A superset of the overdue, read without locks: quiet for the shortest wait, queued long, past a deadline, or a
     * cancel pending long. Only a QUEUED migration is judged by its age, and only by it: with that clause on every
     * phase, each migration that had run longer than the queue's timeout was read by every pass, and so was every
     * long-queued one by the quiet clause. A move of an evacuation waits while its evacuation moves
     * (MigrationTimeouts#evacuationMovedAt).
     */
    private static Uni<List<UUID>> candidates(Instant now, MigrationTimeouts.Settings s) {
        return Panache.getSession().flatMap(session -> session.createSelectionQuery(
                        "select m.id from Migration m where m.phase in ?1 and ((m.phase <> ?6 and m.updatedAt < ?2)"
                                // as MigrationTimeouts.evacuationMovedAt: a move of its evacuation that started moved it
                                + " or (m.phase = ?6 and m.createdAt < ?3 and not exists (select 1 from Migration s where s.evacuationId = m.evacuationId"
                                + " and s.reservationId is not null and s.phase <> ?6 and (s.phase in ?7 or s.updatedAt >= ?3)))"
                                + " or m.deadline < ?4 or m.cancelRequestedAt < ?5 or m.leaseExpiresAt < ?4) order by m.id", UUID.class)
                .setParameter(1, List.of(MigrationPhase.QUEUED, MigrationPhase.SCHEDULED, MigrationPhase.RUNNING))
                .setParameter(2, now.minus(s.shortestWait())).setParameter(3, now.minus(s.queued()))
                .setParameter(4, now).setParameter(5, now.minus(s.cancel())).setParameter(6, MigrationPhase.QUEUED)
                .setParameter(7, MOVING).getResultList());
    }

    /**
     * Judges and acts on each candidate in a transaction of its own, one after the other. One transaction for the whole
     * pass held every overdue row, and the rows of the live migrations whose share of the links a takeover moved, until
     * the last was acted on: after a worker with hundreds of migrations died, that could be tens of seconds on a loaded
     * machine (0.1 to 0.4 s per takeover was profiled here), while those live migrations' events and claim renewals
     * waited for their rows. A failure that passes by itself (the database away, a timeout) ends the pass, and the
     * grace above begins; a conflict over the row, or a failure that will never pass, is logged, and the others are
     * still acted on.
     */
    private Uni<Void> actOnEach(List<UUID> ids, MigrationTimeouts.Settings s) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (UUID id : ids) {
            chain = chain.flatMap(x -> Panache.withTransaction(() -> judge(id, s))
                    .invoke(took -> {
                        if (took != null) { // judged (null: the row was held, and this pass did not look at it)
                            metrics.tookOver(took); // once its transaction committed
                            failing.remove(id);
                        }
                    })
                    .onFailure(Transience::isConflict)
                    .recoverWithItem(e -> {
                        LOG.warnf("watchdog: migration %s changed under it (%s); judged again next pass", id, e.getMessage());
                        return 0;
                    })
                    .onFailure(e -> !Transience.isTransient(e))
                    .recoverWithItem(e -> {
                        // once with its stack per migration and cause, then briefly: it fails again every pass until fixed
                        String cause = String.valueOf(e.getMessage());
                        if (!cause.equals(failing.put(id, cause))) {
                            LOG.errorf(e, "watchdog could not act on migration %s; judged again every pass", id);
                        } else {
                            LOG.debugf("watchdog still cannot act on migration %s: %s", id, e.getMessage());
                        }
                        return 0;
                    })
                    .replaceWithVoid());
        }
        // those no longer candidates (ended some other way, or their rows fixed) are forgotten
        return chain.invoke(() -> {
            failing.keySet().retainAll(new java.util.HashSet<>(ids));
            metrics.cannotActOn(failing.size());
        });
    }

    /**
     * Locks the row, if nobody else holds it, judges it as it is now and acts: returns 1 for a takeover from a worker
     * that died, else 0, and null when another transaction held the row. A row held is judged by the next pass: that
     * transaction is applying the worker's word, renewing its claim or acting on it (another replica's watchdog too, whose action this judgement,
     * made after it, sees).
     */
    private Uni<Integer> judge(UUID id, MigrationTimeouts.Settings s) {
        return Panache.getSession().flatMap(session -> session.createSelectionQuery("from Migration where id = ?1", Migration.class)
                        .setParameter(1, id).setLockMode(org.hibernate.LockMode.UPGRADE_SKIPLOCKED).getResultList())
                .flatMap(found -> {
                    if (found.isEmpty()) {
                        return Uni.createFrom().<Integer>nullItem();
                    }
                    Migration m = found.get(0);
                    Instant now = Instant.now();
                    return evacuationMovedAt(m, now).flatMap(moved -> {
                        var overdue = MigrationTimeouts.check(MigrationTimeouts.Facts.of(m, moved), now, s);
                        if (overdue.isEmpty()) {
                            return Uni.createFrom().item(0);
                        }
                        var action = overdue.get().action();
                        return act(m, overdue.get(), now)
                                .replaceWith(action == MigrationTimeouts.Action.RETRY || action == MigrationTimeouts.Action.ADOPT ? 1 : 0);
                    });
                });
    }

    /** The phases in which a move of an evacuation keeps its queued moves waiting (MigrationTimeouts.evacuationMovedAt). */
    static final List<MigrationPhase> MOVING = List.of(MigrationPhase.SCHEDULED, MigrationPhase.RUNNING);

    /** For a queued move of an evacuation, when its evacuation last moved; null for any other migration. */
    private static Uni<Instant> evacuationMovedAt(Migration m, Instant now) {
        if (m.phase() != MigrationPhase.QUEUED || m.evacuationId == null) {
            return Uni.createFrom().nullItem();
        }
        // a start is the reservation the dispatcher took for it: set as it left the queue, never cleared
        return Panache.getSession().flatMap(session -> session.createSelectionQuery("select s.phase, s.reservationId, s.updatedAt"
                        + " from Migration s where s.evacuationId = ?1 and s.id <> ?2", Object[].class)
                .setParameter(1, m.evacuationId).setParameter(2, m.id).getResultList())
                .map(rows -> MigrationTimeouts.evacuationMovedAt(rows.stream().map(r -> new MigrationTimeouts.Sibling(
                        (MigrationPhase) r[0], r[1] != null, (Instant) r[2])).toList(), now));
    }

    /** Does what {@link MigrationTimeouts} decided, in the caller's transaction. */
    Uni<Void> act(Migration m, Overdue overdue, Instant now) {
        return switch (overdue.action()) {
            case END -> end(m, overdue, now);
            case ASK_CANCEL -> {
                LOG.warnf("migration %s of VM %s: %s", m.id, m.vmName, overdue.reason());
                m.cancelRequestedAt = now;
                m.abortStatus = AbortStatus.REQUESTED;
                m.failureReason = overdue.reason();
                m.stopReason = overdue.reason();
                AuditEntry audit = AuditEntry.of(m.id, AuditEntry.SENT, "WATCHDOG", "cancel-request", m.attempt, null, overdue.reason());
                audit.note = "the scheduler asks the worker to stop; the phase changes when it confirms";
                yield audit.persist().call(() -> commands.send(m, CommandType.CANCEL)).replaceWithVoid();
            }
            case RETRY -> retry(m, overdue.reason(), now);
            case ADOPT -> adopt(m, overdue.reason(), now);
            case UNKNOWN -> {
                LOG.errorf("migration %s of VM %s: outcome unknown: %s", m.id, m.vmName, overdue.reason());
                yield outcomes.unknown(m, overdue.reason(), now);
            }
        };
    }

    /**
     * Ends the migration: nobody acts on the hypervisor for it, so the VM is on its source. Publishes the decision (so
     * that inventory frees the hold) and, where a worker might still hold the command, sends CANCEL.
     */
    private Uni<Void> end(Migration m, Overdue overdue, Instant now) {
        LOG.warnf("migration %s of VM %s ended by the scheduler: %s", m.id, m.vmName, overdue.reason());
        if (m.abortStatus == AbortStatus.REQUESTED) {
            m.abortStatus = AbortStatus.SUCCEEDED; // nobody runs it any more: the VM stays on the source
        }
        boolean workerMayHoldIt = m.phase() != MigrationPhase.QUEUED;
        return outcomes.ended(m, overdue.endsIn(), overdue.reason(), now)
                .call(() -> workerMayHoldIt ? commands.send(m, CommandType.CANCEL) : Uni.createFrom().voidItem());
    }

    /** The START again, with the migration's share of the links as they are shared now. */
    private Uni<Void> start(Migration m) {
        return links.starting(m).call(share -> commands.send(m, CommandType.START, share)).replaceWithVoid();
    }

    /**
     * The worker died and its hypervisor job may live on: the same attempt waits (SCHEDULED) for a new owner, whose
     * driver takes the job over where it is, as the next run of the attempt. The last worker stays named, so that a
     * timeout of the wait says the outcome is unknown rather than that the VM stayed home.
     */
    private Uni<Void> adopt(Migration m, String reason, Instant now) {
        LOG.warnf("migration %s of VM %s: %s", m.id, m.vmName, reason);
        m.run++;
        m.ownerId = null;
        m.leaseExpiresAt = null;
        return m.transition(MigrationPhase.SCHEDULED, reason, now).call(() -> start(m));
    }

    /**
     * The worker died and its job with it: the same migration runs again as the next attempt, on the same hold. Events
     * and claims of the old attempt count for nothing from here on.
     */
    private Uni<Void> retry(Migration m, String reason, Instant now) {
        LOG.warnf("migration %s of VM %s: %s", m.id, m.vmName, reason);
        m.attempt++;
        traces.next(m);
        m.run = 1;
        m.ownerId = null;
        m.leaseExpiresAt = null;
        m.workerId = null;
        m.lastSequence = 0;
        m.currentRound = 0;
        m.attemptRunningSince = null;
        m.bytesSent = 0;
        m.remainingBytes = m.memoryBytes;
        return m.transition(MigrationPhase.SCHEDULED, reason, now).call(() -> start(m));
    }
}
