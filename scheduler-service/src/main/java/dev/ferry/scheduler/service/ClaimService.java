package dev.ferry.scheduler.service;

import dev.ferry.events.EventCodec;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Claims;
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
import org.jboss.logging.Logger;

/**
 * Grants, renews and takes back workers' claims ({@link Claims} decides). A first grant turns a SCHEDULED migration
 * RUNNING and is audited, as is every refusal; a renewal only moves the lease.
 */
@ApplicationScoped
public class ClaimService {
    private static final Logger LOG = Logger.getLogger(ClaimService.class);

    @Inject
    SchedulerConfig config;

    /**
     * A granted claim: the lease's end, how often the worker must renew it, and what the operator asked before this
     * worker held it (a cancel or force-complete sent while nobody ran the migration must not be lost).
     */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Claim", example = "{\"migrationId\": \"7d8e2f5c-2f61-4a7e-9a63-2c1a9d7c6a10\", \"attempt\": 1, \"workerId\": \"4242@worker-1\", \"leaseExpiresAt\": \"2026-11-25T20:00:22Z\", \"leaseMillis\": 15000, \"renewEveryMillis\": 5000, \"cancelRequested\": false, \"forceCompleteRequested\": false}")
    public record Granted(UUID migrationId, int attempt, String workerId, Instant leaseExpiresAt, long leaseMillis,
            long renewEveryMillis, boolean cancelRequested, boolean forceCompleteRequested) {
    }

    /** A grant, or the refusal to answer with once the refusal's audit entry is committed. */
    private record Answer(Granted granted, ProblemException refusal) {
    }

    public Uni<Granted> claim(UUID id, Claims.Request request) {
        return answer(id, request).flatMap(a -> a.refusal() != null ? Uni.createFrom().<Granted>failure(a.refusal())
                : Uni.createFrom().item(a.granted()));
    }

    private Uni<Answer> answer(UUID id, Claims.Request request) {
        return Panache.withTransaction(() -> locked(id).flatMap(m -> {
            Instant now = Instant.now();
            Claims.Verdict v = Claims.decide(id, Claims.Facts.of(m), request, now);
            if (!v.granted()) {
                AuditEntry audit = AuditEntry.of(id, AuditEntry.RECEIVED, "CLAIM", request.workerId(), request.attempt(), null,
                        EventCodec.toJson(request));
                audit.note = "refused: " + v.detail();
                LOG.infof("claim of worker %s on migration %s refused: %s", request.workerId(), id, v.detail());
                return audit.persist().replaceWith(new Answer(null, new ProblemException(
                        new Problem(v.slug(), "Conflict", 409, v.detail()).with("phase", m.phase()).with("attempt", m.attempt))));
            }
            m.leaseExpiresAt = now.plus(config.claimLease());
            Granted granted = new Granted(id, m.attempt, request.workerId(), m.leaseExpiresAt, config.claimLease().toMillis(),
                    config.workerHeartbeat().toMillis(), m.cancelRequestedAt != null, m.forceCompleteRequestedAt != null);
            if (v.renewal()) {
                return Uni.createFrom().item(new Answer(granted, null));
            }
            boolean takeover = Claims.Facts.of(m).takeover();
            m.ownerId = request.workerId();
            // the new owner's events count from its own first sequence; those of a worker it replaces no longer count
            m.workerId = request.workerId();
            m.lastSequence = 0;
            m.driver = request.driver();
            m.jobsOutliveWorker = request.jobsOutliveWorker();
            AuditEntry audit = AuditEntry.of(id, AuditEntry.RECEIVED, "CLAIM", request.workerId(), request.attempt(), null,
                    EventCodec.toJson(request));
            audit.note = "granted: worker " + request.workerId() + " (" + request.driver() + ") holds attempt " + m.attempt
                    + (takeover ? " (run " + m.run + ": it takes over the job its previous worker left)" : "")
                    + " until it stops renewing";
            return audit.persist()
                    .call(() -> m.phase() == MigrationPhase.SCHEDULED ? m.transition(MigrationPhase.RUNNING, "worker "
                            + request.workerId() + (takeover ? " took the migration over" : " claimed the migration"), now)
                            : Uni.createFrom().voidItem())
                    .replaceWith(new Answer(granted, null));
        }));
    }

    /** One claim to renew: the migration and the attempt the worker runs. */
    public record Held(UUID migrationId, int attempt) {
    }

    /** A claim that was not renewed, and why: the worker stops acting for it. */
    public record Refused(UUID migrationId, String slug, String detail) {
    }

    /** What a batch renewal did: the lease and renewal interval for every claim renewed, and the refusals. */
    public record Renewal(long leaseMillis, long renewEveryMillis, java.util.List<UUID> renewed, java.util.List<Refused> refused) {
    }

    /**
     * Renews every claim a worker holds in one transaction (one call per heartbeat, however many it runs), by the
     * same rules as a single claim: only the owner's live claim on the current attempt is renewed.
     */
    public Uni<Renewal> renew(String workerId, java.util.List<Held> held) {
        if (held.isEmpty()) {
            return Uni.createFrom().item(new Renewal(config.claimLease().toMillis(), config.workerHeartbeat().toMillis(),
                    java.util.List.of(), java.util.List.of()));
        }
        java.util.Map<UUID, Integer> attempts = new java.util.HashMap<>();
        held.forEach(h -> attempts.put(h.migrationId(), h.attempt()));
        return Panache.withTransaction(() -> Migration.<Migration>find("id in ?1 order by id", attempts.keySet())
                .withLock(LockModeType.PESSIMISTIC_WRITE).list().map(found -> {
                    Instant now = Instant.now();
                    java.util.List<UUID> renewed = new java.util.ArrayList<>();
                    java.util.List<Refused> refused = new java.util.ArrayList<>();
                    java.util.Set<UUID> missing = new java.util.HashSet<>(attempts.keySet());
                    for (Migration m : found) {
                        missing.remove(m.id);
                        Claims.Verdict v = Claims.decide(m.id, Claims.Facts.of(m), new Claims.Request(attempts.get(m.id), workerId,
                                m.driver == null ? "unknown" : m.driver, m.jobsOutliveWorker), now);
                        if (v.granted() && v.renewal()) {
                            m.leaseExpiresAt = now.plus(config.claimLease());
                            renewed.add(m.id);
                        } else {
                            refused.add(new Refused(m.id, v.granted() ? "not-claimed" : v.slug(), v.granted()
                                    ? "worker " + workerId + " never claimed migration " + m.id + "; claim it first" : v.detail()));
                        }
                    }
                    missing.forEach(id -> refused.add(new Refused(id, "migration-not-found", "migration " + id + " does not exist")));
                    if (!refused.isEmpty()) {
                        LOG.infof("worker %s: %d claim(s) renewed, %d refused: %s", workerId, renewed.size(), refused.size(), refused);
                    }
                    return new Renewal(config.claimLease().toMillis(), config.workerHeartbeat().toMillis(), renewed, refused);
                }));
    }

    /**
     * The owner gives the claim back (it shuts down, or cannot go on): the lease ends now, so the watchdog's next pass
     * takes the migration over rather than waiting for the lease to lapse. Anyone else's release changes nothing.
     */
    public Uni<Boolean> release(UUID id, String workerId, int attempt, String reason) {
        return Panache.withTransaction(() -> locked(id).flatMap(m -> {
            if (!workerId.equals(m.ownerId) || m.attempt != attempt) {
                return Uni.createFrom().item(false);
            }
            Instant now = Instant.now();
            m.leaseExpiresAt = now.minusMillis(1);
            AuditEntry audit = AuditEntry.of(id, AuditEntry.RECEIVED, "CLAIM_RELEASED", workerId, attempt, null,
                    EventCodec.toJson(java.util.Map.of("workerId", workerId, "attempt", attempt, "reason", reason)));
            audit.note = "applied: worker " + workerId + " gave its claim back (" + reason + "); the migration is taken over";
            return audit.persist().replaceWith(true);
        }));
    }

    private static Uni<Migration> locked(UUID id) {
        return Migration.<Migration>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Migration", id));
    }
}
