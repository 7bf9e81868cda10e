package dev.ferry.scheduler.service;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.CommandType;
import dev.ferry.events.Principal;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.UUID;

/**
 * Cancel and force-complete: each is recorded on the migration and sent to the worker as a command in the same
 * transaction; the phase changes when the worker's event confirms it. Asking twice is harmless.
 */
@ApplicationScoped
public class OperatorRequests {

    @Inject
    Commands commands;

    @Inject
    Outcomes outcomes;

    public Uni<Migration> cancel(UUID id, Principal by) {
        return Panache.withTransaction(() -> lockForRequest(id, "cancel").call(m -> requested(m, "CANCEL_REQUESTED", by)).flatMap(m -> {
            if (m.cancelRequestedAt != null) {
                return Uni.createFrom().item(m);
            }
            Instant now = Instant.now();
            m.cancelRequestedAt = now;
            m.cancelRequestedBy = by.name();
            m.cancelRequestedBySubject = by.subject();
            if (m.phase() == MigrationPhase.QUEUED) {
                // Nothing reserved, nothing sent: it simply never starts, and the VM never left the source.
                m.abortStatus = AbortStatus.SUCCEEDED;
                return outcomes.ended(m, MigrationPhase.CANCELLED, "cancelled by " + by.name() + " while queued", now).replaceWith(m);
            }
            if (m.phase() == MigrationPhase.SCHEDULED && m.ownerId == null && m.workerId == null) {
                // No worker holds it, and none can claim it once it is decided: the VM never left the source. The
                // command still goes out so that a worker holding the START drops it at once.
                m.abortStatus = AbortStatus.SUCCEEDED;
                return outcomes.ended(m, MigrationPhase.CANCELLED, "cancelled by " + by.name() + " before any worker took it", now)
                        .call(() -> commands.send(m, CommandType.CANCEL)).replaceWith(m);
            }
            m.abortStatus = AbortStatus.REQUESTED;
            return send(m, CommandType.CANCEL);
        }));
    }

    public Uni<Migration> forceComplete(UUID id, Principal by) {
        return Panache.withTransaction(() -> lockForRequest(id, "force-complete").call(m -> requested(m, "FORCE_COMPLETE_REQUESTED", by))
                .flatMap(m -> {
            if (m.cancelRequestedAt != null) {
                return Uni.createFrom().failure(ProblemException.conflict("cancel-pending",
                        "migration " + id + " is being cancelled; it cannot also be forced to complete"));
            }
            if (m.forceCompleteRequestedAt != null) {
                return Uni.createFrom().item(m);
            }
            if (m.phase() == MigrationPhase.QUEUED) {
                return Uni.createFrom().failure(ProblemException.conflict("not-started",
                        "migration " + id + " is still queued; there are no live rounds to end"));
            }
            m.forceCompleteRequestedAt = Instant.now();
            m.forceCompleteRequestedBy = by.name();
            m.forceCompleteRequestedBySubject = by.subject();
            return send(m, CommandType.FORCE_COMPLETE);
        }));
    }

    private static Uni<Migration> lockForRequest(UUID id, String what) {
        return Migration.<Migration>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Migration", id))
                .flatMap(m -> m.phase().isFinal()
                        ? Uni.createFrom().failure(new ProblemException(new Problem("migration-finished", "Conflict", 409,
                                "migration " + id + " is already " + m.phase() + (m.phase() == MigrationPhase.SUCCEEDED
                                        ? ": the VM runs on host " + m.targetHostId + "; migrate it back instead"
                                        : ": the VM runs on host " + m.sourceHostId) + "; nothing to " + what)
                                .with("phase", m.phase())))
                        : Uni.createFrom().item(m));
    }

    /** Every request is kept with who asked, in the transaction that acts on it (a repeated one too). */
    private static Uni<AuditEntry> requested(Migration m, String type, Principal by) {
        return AuditEntry.request(m.id, m.attempt, type, by, "{}").persist();
    }

    private Uni<Migration> send(Migration m, CommandType type) {
        return commands.send(m, type).replaceWith(m);
    }

    @Inject
    Discrepancies discrepancies;

    /**
     * An operator states where the VM of a migration whose outcome is unknown runs, after checking both hosts: on the
     * destination it SUCCEEDED, on the source it FAILED (CANCELLED when a cancel was asked for). The statement is the
     * decision, audited with the operator's note; inventory follows it.
     */
    public Uni<Migration> resolve(UUID id, long vmRunsOn, String note, Principal by) {
        return Panache.withTransaction(() -> Migration.<Migration>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Migration", id))
                .flatMap(m -> {
                    if (m.phase() != MigrationPhase.OUTCOME_UNKNOWN) {
                        return Uni.createFrom().failure(new ProblemException(new Problem("outcome-known", "Conflict", 409,
                                "migration " + id + " is " + m.phase() + ", not OUTCOME_UNKNOWN: its outcome was decided; if the VM "
                                        + "runs elsewhere, correct its host in inventory").with("phase", m.phase())));
                    }
                    if (vmRunsOn != m.sourceHostId && vmRunsOn != m.targetHostId) {
                        return Uni.createFrom().failure(new ProblemException(new Problem("not-a-host-of-the-migration",
                                "Unprocessable Entity", 422, "migration " + id + " moved VM " + m.vmName + " from host " + m.sourceHostId
                                        + " to host " + m.targetHostId + "; host " + vmRunsOn + " is neither")));
                    }
                    Instant now = Instant.now();
                    String stated = by.name() + " stated that VM " + m.vmName + " runs on host " + vmRunsOn
                            + (note == null || note.isBlank() ? "" : " (" + note + ")");
                    MigrationPhase to;
                    if (vmRunsOn == m.targetHostId) {
                        to = MigrationPhase.SUCCEEDED;
                        m.progressPercent = 100;
                        m.remainingBytes = 0;
                        if (m.abortStatus == AbortStatus.REQUESTED) {
                            m.abortStatus = AbortStatus.FAILED;
                        }
                    } else {
                        to = m.cancelRequestedAt != null ? MigrationPhase.CANCELLED : MigrationPhase.FAILED;
                        if (m.abortStatus == AbortStatus.REQUESTED) {
                            m.abortStatus = AbortStatus.SUCCEEDED;
                        }
                    }
                    return outcomes.decided(m, to, stated, stated, now)
                            .call(() -> requested(m, "OUTCOME_RESOLVED", by))
                            .call(() -> discrepancies.resolveAll(id, stated, now))
                            .replaceWith(m);
                }));
    }
}
