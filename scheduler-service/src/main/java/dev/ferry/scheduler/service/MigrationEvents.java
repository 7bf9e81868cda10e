package dev.ferry.scheduler.service;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.DirtyPageRound;
import dev.ferry.events.EventType;
import dev.ferry.events.InvalidRecordException;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationMode;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Discrepancy;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationRound;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;

/**
 * What a worker's event does to a migration. Every event is kept in the audit trail; only a current, in-order event
 * from the worker holding the migration's claim, of a migration not yet decided, changes it, so duplicates, stale
 * attempts, a replaced worker and late arrivals never move a phase backwards. An event that contradicts the decided
 * outcome is raised as a discrepancy instead. Those checks come first; what remains goes through
 * {@link Migration#transition}, and an outcome through {@link Outcomes#decided}. Runs inside the consumer's transaction.
 */
@ApplicationScoped
public class MigrationEvents {
    @Inject
    Outcomes outcomes;

    @Inject
    Discrepancies discrepancies;

    @Inject
    MigrationService forecasts;

    /**
     * Applies the event in the caller's transaction. Its audit entry and round go into {@code rows}, which the caller
     * flushes before the transaction commits; an event whose consequences write audit entries of their own (an outcome,
     * a discrepancy) flushes them first, so that the trail stays in the order things happened.
     *
     * @return true when it changed the migration (or is a decision this scheduler made), false when it was only
     *         recorded: late, repeated, contradicting, or forged. What metrics count.
     */
    public Uni<Boolean> apply(MigrationEvent event, String payload, EventRows rows) {
        AuditEntry audit = AuditEntry.of(event.migrationId(), AuditEntry.RECEIVED, event.type().name(), event.eventId(),
                event.attempt(), event.sequence(), payload);
        return Migration.<Migration>findById(event.migrationId(), LockModeType.PESSIMISTIC_WRITE).flatMap(m -> {
            if (m == null) {
                // never requested here, or ended longer ago than the history is kept: nothing it could apply to
                return Uni.createFrom().failure(new InvalidRecordException("event " + event.eventId() + " for migration "
                        + event.migrationId() + ", which this scheduler never had or has deleted with its history"));
            }
            if (Outcomes.SCHEDULER.equals(event.workerId())) {
                return rows.flush().flatMap(x -> ownDecision(m, event, audit));
            }
            Verdict verdict = judge(m, event);
            if (verdict != null) {
                audit.note = verdict.note();
                if (verdict.discrepancy() == null) {
                    rows.add(audit);
                    return Uni.createFrom().item(false);
                }
                return rows.flush().flatMap(x -> audit.persist()).replaceWith(false)
                        .call(() -> discrepancies.raise(m.id, verdict.discrepancy(), verdict.note().substring("ignored: ".length()),
                                event.eventId(), Instant.now()));
            }
            Instant now = Instant.now();
            if (onlyProgress(m, event)) {
                rows.add(audit);
                return change(m, event, audit, rows, now).replaceWith(true);
            }
            // the report first, then what it caused (a decision is audited after the report it rests on); kept as an
            // entity, since what it causes may still add to its note
            return rows.flush().flatMap(x -> audit.persist()).flatMap(x -> change(m, event, audit, rows, now)).replaceWith(true);
        });
    }

    /** A start, a round or a heartbeat of a migration whose outcome is not in question: it writes no audit entry of its own. */
    static boolean onlyProgress(Migration m, MigrationEvent event) {
        return m.phase() != MigrationPhase.OUTCOME_UNKNOWN && !event.type().isOutcome() && event.type() != EventType.OUTCOME_UNKNOWN
                && event.type() != EventType.DIRTY_RATE_MEASURED; // its note says what the forecast became
    }

    /**
     * Why an event must not change the migration, and whether that is a discrepancy; null when it may change it.
     *
     * @param note         "ignored: ..." for the audit trail
     * @param discrepancy  the kind to raise, or null when the event is merely late or repeated
     */
    record Verdict(String note, String discrepancy) {
        static Verdict ignored(String why) {
            return new Verdict("ignored: " + why, null);
        }

        static Verdict contradicts(String why) {
            return new Verdict("ignored: " + why, Discrepancy.CONTRADICTS_OUTCOME);
        }
    }

    static Verdict judge(Migration m, MigrationEvent event) {
        boolean moved = event.type() == EventType.MIGRATION_SUCCEEDED;
        if (event.attempt() < m.attempt) {
            String why = "attempt " + event.attempt() + " is older than the current attempt " + m.attempt;
            // an attempt given up on says it moved the VM: the hypervisor may disagree with what we believe
            return moved ? Verdict.contradicts(why + ", and it reports the VM moved to host " + event.targetHostId())
                    : Verdict.ignored(why);
        }
        if (m.phase().isFinal()) {
            if (!event.type().isOutcome() || decidedAs(event.type()) == m.phase()) {
                return Verdict.ignored("migration already " + m.phase());
            }
            return Verdict.contradicts("worker " + event.workerId() + " reports " + event.type() + " but the migration was decided "
                    + m.phase() + (m.phase() == MigrationPhase.SUCCEEDED ? " (VM on host " + m.targetHostId + ")"
                            : " (VM on host " + m.sourceHostId + ")"));
        }
        if (m.ownerId != null && !m.ownerId.equals(event.workerId())) {
            String why = "worker " + event.workerId() + " holds no claim on the migration; worker " + m.ownerId + " does";
            return moved ? Verdict.contradicts(why + ", yet it reports the VM moved") : Verdict.ignored(why);
        }
        if (m.ownerId == null && m.workerId != null && !m.workerId.equals(event.workerId())) {
            String why = "worker " + m.workerId + " reported on this attempt first; worker " + event.workerId() + " holds no claim";
            return moved ? Verdict.contradicts(why + ", yet it reports the VM moved") : Verdict.ignored(why);
        }
        if ((event.type() == EventType.ROUND_COMPLETED || event.type() == EventType.DIRTY_RATE_MEASURED)
                && event.sequence() <= m.lastSequence) {
            return Verdict.ignored("sequence " + event.sequence() + " arrived after " + m.lastSequence);
        }
        return null;
    }

    private static MigrationPhase decidedAs(EventType type) {
        return switch (type) {
            case MIGRATION_SUCCEEDED -> MigrationPhase.SUCCEEDED;
            case MIGRATION_FAILED -> MigrationPhase.FAILED;
            case MIGRATION_CANCELLED -> MigrationPhase.CANCELLED;
            default -> null;
        };
    }

    /**
     * An event in the scheduler's name: its own decision coming back (audited when it was sent), or, if it never sent
     * one with that id, a forgery, kept and raised.
     */
    private Uni<Boolean> ownDecision(Migration m, MigrationEvent event, AuditEntry audit) {
        return AuditEntry.count("migrationId = ?1 and recordId = ?2 and direction = ?3", m.id, event.eventId(), AuditEntry.SENT)
                .flatMap(sent -> {
                    if (sent > 0) {
                        return Uni.createFrom().item(true);
                    }
                    audit.note = "ignored: a decision in the scheduler's name that the scheduler never made";
                    return audit.persist().call(() -> discrepancies.raise(m.id, Discrepancy.FORGED_DECISION, "an event "
                            + event.type() + " (" + event.eventId() + ") claims to be the scheduler's decision; the scheduler never "
                            + "sent it", event.eventId(), Instant.now())).replaceWith(false);
                });
    }

    private Uni<Void> change(Migration m, MigrationEvent event, AuditEntry audit, EventRows rows, Instant now) {
        m.workerId = event.workerId();
        m.lastSequence = Math.max(m.lastSequence, event.sequence());
        m.updatedAt = now; // a word from the worker: the progress timer restarts
        if (m.phase() == MigrationPhase.OUTCOME_UNKNOWN) {
            return fromUnknown(m, event, audit, rows, now);
        }
        return switch (event.type()) {
            case HEARTBEAT -> Uni.createFrom().voidItem();
            case OUTCOME_UNKNOWN -> {
                // the worker's hypervisor could not say where the guest runs: nobody can, until it or an operator does
                abortAndMode(m, event);
                yield outcomes.unknown(m, "worker " + event.workerId() + ": " + event.outcome().failureReason(), now);
            }
            case MIGRATION_STARTED -> running(m, "worker " + event.workerId() + " started round 1", rows, now);
            case DIRTY_RATE_MEASURED -> running(m, "worker " + event.workerId() + " measured the guest's writing", rows, now)
                    .call(() -> measured(m, event, audit));
            case ROUND_COMPLETED -> running(m, "first round reported by worker " + event.workerId(), rows, now).invoke(x -> round(m, event, rows, now));
            case MIGRATION_SUCCEEDED, MIGRATION_FAILED, MIGRATION_CANCELLED -> outcome(m, event, now);
        };
    }

    /**
     * The migration forecast again from the measurement, unless rounds came first (a measurement only precedes round 1);
     * a forecast that fails leaves the one it had, and says so, rather than failing the batch.
     */
    private Uni<Void> measured(Migration m, MigrationEvent event, AuditEntry audit) {
        if (m.currentRound > 0) {
            audit.note = "applied: the forecast stands; the attempt had already run " + m.currentRound + " rounds";
            return Uni.createFrom().voidItem();
        }
        return forecasts.forecastMeasured(m, event.measurement())
                // only the fit or the forecast refusing the figures: a database that is away fails the batch, which
                // the consumer retries, rather than leaving a note that no forecast could be made
                .onFailure(IllegalArgumentException.class).recoverWithItem(e -> "applied: the forecast stands; the "
                        + "measurement could not be forecast: " + e.getMessage())
                .invoke(note -> audit.note = note).replaceWithVoid();
    }

    /** The driver answers after the scheduler gave up waiting: its word settles the migration. */
    private Uni<Void> fromUnknown(Migration m, MigrationEvent event, AuditEntry audit, EventRows rows, Instant now) {
        if (event.type() == EventType.OUTCOME_UNKNOWN) {
            audit.note = "applied: nothing changes, the outcome is still unknown";
            return Uni.createFrom().voidItem();
        }
        if (!event.type().isOutcome()) {
            audit.note = "applied: worker " + event.workerId() + " is heard again; the migration runs";
            return m.transition(MigrationPhase.RUNNING, "worker " + event.workerId() + " reported again after the outcome "
                    + "was declared unknown", now).invoke(x -> {
                        if (event.type() == EventType.ROUND_COMPLETED) {
                            round(m, event, rows, now);
                        }
                    });
        }
        audit.note = "applied: the driver's answer settles an outcome that was unknown";
        return outcome(m, event, now)
                .call(() -> discrepancies.resolveAll(m.id, "the driver reported " + event.type() + " (event " + event.eventId() + ")", now));
    }

    private static Uni<Void> running(Migration m, String reason, EventRows rows, Instant now) {
        if (m.attemptRunningSince == null) {
            m.attemptRunningSince = now;
            // what its shares let it send is counted from here, as its time running is: a cap changed while it waited
            // for its worker (or for a dirty-rate sample) would make the mean share one it never ran at (V20; the
            // cap in force stays); written with the batch's rows
            rows.startShare(m.id, now);
        }
        return m.phase() != MigrationPhase.RUNNING ? m.transition(MigrationPhase.RUNNING, reason, now) : Uni.createFrom().voidItem();
    }

    private Uni<Void> outcome(Migration m, MigrationEvent event, Instant now) {
        MigrationOutcome o = event.outcome();
        abortAndMode(m, event);
        String by = "worker " + event.workerId() + " reported " + event.type();
        return switch (event.type()) {
            case MIGRATION_SUCCEEDED -> {
                m.downtimeMillis = o.downtimeMillis();
                m.totalTimeMillis = o.totalTimeMillis();
                m.bytesSent = o.totalBytesSent();
                m.currentRound = o.rounds();
                m.remainingBytes = 0;
                m.progressPercent = 100;
                yield outcomes.decided(m, MigrationPhase.SUCCEEDED, "VM runs on host " + m.targetHostId + " after " + o.rounds()
                        + " rounds" + (m.mode == MigrationMode.POST_COPY ? " (post-copy)" : "") + "; downtime "
                        + o.downtimeMillis() + " ms" + (m.abortStatus == AbortStatus.FAILED ? "; the cancel came too late" : "")
                        // a success the run did not expect (it was cancelled or failed as the switch-over completed)
                        + (o.failureReason() != null ? "; " + o.failureReason() : ""), by, now);
            }
            case MIGRATION_FAILED -> {
                m.failureReason = o.failureReason();
                // how long it ran before it failed: what a forecast of a migration that gives up is compared with
                if (o.totalTimeMillis() > 0) {
                    m.totalTimeMillis = o.totalTimeMillis();
                    m.bytesSent = o.totalBytesSent();
                    m.currentRound = Math.max(m.currentRound, o.rounds());
                }
                yield outcomes.decided(m, MigrationPhase.FAILED, m.failureReason, by, now);
            }
            default -> {
                if (m.stopReason != null) {
                    // the scheduler asked for this stop, not an operator: the migration failed, for the scheduler's reason
                    m.failureReason = m.stopReason + "; worker " + event.workerId() + " stopped it, the VM runs on the source";
                    yield outcomes.decided(m, MigrationPhase.FAILED, m.failureReason, by, now);
                }
                m.failureReason = o.failureReason();
                yield outcomes.decided(m, MigrationPhase.CANCELLED, m.failureReason != null ? m.failureReason : "cancelled", by, now);
            }
        };
    }

    /** What the outcome says beside the phase: how it ended (mode) and what came of a cancel. */
    private static void abortAndMode(Migration m, MigrationEvent event) {
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
     * How long before a round's start a cap must have been written to count as in force from its start: the command
     * reaches the worker's driver later, and the worker's clock, which times the round, may run ahead of this one.
     */
    static final java.time.Duration CAP_SETTLES = java.time.Duration.ofSeconds(2);

    /**
     * The share of the links the migration had throughout a round the worker says ended at {@code end} (this clock's
     * {@code now} when that is earlier): its cap (or its whole link), when that was written well before the round began;
     * null when it was written since, during the round (which then ran at several) or after it (the cap read now is not
     * the round's).
     */
    public static Double shareThroughout(Migration m, long roundMillis, Instant end, Instant now) {
        Instant started = (end.isBefore(now) ? end : now).minusMillis(roundMillis).minus(CAP_SETTLES);
        if (m.capChangedAt != null && m.capChangedAt.isAfter(started)) {
            return null;
        }
        return (double) (m.bandwidthCapBytesPerSecond != null ? m.bandwidthCapBytesPerSecond : m.linkBandwidthBytesPerSecond);
    }

    private static void round(Migration m, MigrationEvent event, EventRows rows, Instant now) {
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
        MigrationRound row = MigrationRound.of(m.id, event.attempt(), m.run, event.workerId(), r);
        row.shareBytesPerSecond = shareThroughout(m, r.durationMillis(), event.timestamp() != null ? event.timestamp() : now, now);
        rows.add(row);
    }
}
