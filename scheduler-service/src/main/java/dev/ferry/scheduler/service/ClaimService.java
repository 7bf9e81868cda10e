package dev.ferry.scheduler.service;

import dev.ferry.events.EventCodec;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Claims;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import dev.ferry.support.Transience;
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
    /** Claims renewed per transaction: what an event batch may have to wait for (a slice of 1,000 took up to 100 ms). */
    static final int RENEWAL_SLICE = 100;
    /**
     * How long a renewal waits for each row another transaction holds (lock_timeout), and {@link #HELD_ROWS_WAIT} for
     * its locking statement (statement_timeout). An event batch lets go within a fraction of a second; a row held longer (any
     * long transaction, on a loaded machine even a watchdog's takeover, which holds the rows whose share it moved) is renewed
     * by the worker's next renewal, so that a held row never keeps the answer for all the others past the worker's
     * patience (it stops acting for all of them when no answer comes).
     */
    public static final java.time.Duration HELD_ROW_WAIT = java.time.Duration.ofSeconds(1);
    public static final java.time.Duration HELD_ROWS_WAIT = java.time.Duration.ofSeconds(2);
    /** PostgreSQL's lock_not_available (lock_timeout) and query_canceled (statement_timeout). */
    private static final java.util.Set<String> WAITED_ENOUGH = java.util.Set.of("55P03", "57014");

    @Inject
    SchedulerConfig config;

    /**
     * A granted claim: the lease's end, the worker's heartbeat (it renews twice per heartbeat, and gives a claim up one
     * heartbeat before the lease ends), and what the operator asked before this
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
     * Renews every claim a worker holds (one call, twice per heartbeat, however many it runs), by the same rules as a single
     * claim: only the owner's live claim on the current attempt is renewed.
     *
     * <p>Two statements, not an entity each, and locks held for as short a time as they can be: a worker running
     * hundreds of migrations renews them all every few seconds while the event consumer locks the same rows batch after
     * batch (renewing 1,000 entities held them for 130 ms to 2.6 s under ingest, and the consumer waited). The first
     * passes, a slice of rows each, skip the rows a batch holds rather than waiting for them with all the others
     * locked; the last renews those few once the batch lets go, waiting {@link #HELD_ROW_WAIT} for a row and
     * {@link #HELD_ROWS_WAIT} in all: when that runs out, the rows free by then are renewed, and a claim whose row is
     * still held is neither renewed nor refused by this call (the worker's next renewal renews it). Rows are locked
     * in id order, as the consumer locks them, and the version moves on as an entity's update would move it, so that no
     * one writes an older lease back over this one.
     */
    public Uni<Renewal> renew(String workerId, java.util.List<Held> held) {
        java.util.Map<UUID, Integer> attempts = new java.util.HashMap<>();
        held.forEach(h -> attempts.put(h.migrationId(), h.attempt()));
        long begun = System.nanoTime();
        // in slices of RENEWAL_SLICE rows, each its own transaction: a batch waits for one slice at most
        java.util.List<UUID> ids = attempts.keySet().stream().sorted().toList();
        Uni<Pass> passes = Uni.createFrom().item(new Pass(java.util.List.of(), java.util.List.of(), java.util.Set.of()));
        for (int from = 0; from < ids.size(); from += RENEWAL_SLICE) {
            java.util.Set<UUID> slice = new java.util.HashSet<>(ids.subList(from, Math.min(ids.size(), from + RENEWAL_SLICE)));
            passes = passes.flatMap(done -> renewPass(workerId, attempts, slice, true).map(done::then));
        }
        return passes
                .flatMap(first -> first.unseen().isEmpty() ? Uni.createFrom().item(first)
                        : renewPass(workerId, attempts, first.unseen(), false).map(first::then)
                                .onFailure(e -> WAITED_ENOUGH.stream().anyMatch(state -> Transience.hasSqlState(e, state)))
                                .recoverWithUni(e -> renewPass(workerId, attempts, first.unseen(), true).map(first::then).map(pass -> {
                                    LOG.infof("worker %s: %d claim(s) held by another transaction past the renewal's wait, left "
                                            + "for its next renewal", workerId, pass.unseen().size());
                                    return pass.heldElsewhere();
                                })))
                .map(pass -> {
                    java.util.List<Refused> refused = new java.util.ArrayList<>(pass.refused());
                    pass.unseen().forEach(id -> refused.add(new Refused(id, "migration-not-found", "migration " + id + " does not exist")));
                    if (!refused.isEmpty()) {
                        LOG.infof("worker %s: %d claim(s) renewed, %d refused: %s", workerId, pass.renewed().size(), refused.size(), refused);
                    }
                    LOG.debugf("worker %s: %d claim(s) renewed in %d ms", workerId, pass.renewed().size(), (System.nanoTime() - begun) / 1_000_000);
                    return new Renewal(config.claimLease().toMillis(), config.workerHeartbeat().toMillis(), pass.renewed(), refused);
                });
    }

    /** What one renewal pass did, and the claims it did not see: rows another transaction held (skipped), or none. */
    private record Pass(java.util.List<UUID> renewed, java.util.List<Refused> refused, java.util.Set<UUID> unseen) {
        /** This pass and a later one over other claims, or over those this one did not see. */
        Pass then(Pass later) {
            java.util.List<UUID> r = new java.util.ArrayList<>(renewed);
            r.addAll(later.renewed());
            java.util.List<Refused> f = new java.util.ArrayList<>(refused);
            f.addAll(later.refused());
            java.util.Set<UUID> u = new java.util.HashSet<>(unseen);
            u.removeAll(later.renewed());
            later.refused().forEach(x -> u.remove(x.migrationId()));
            u.addAll(later.unseen());
            return new Pass(r, f, u);
        }

        /**
         * The claims not seen were held by another transaction (or are unknown: told by a later renewal) past the wait:
         * neither renewed nor refused by this call.
         */
        Pass heldElsewhere() {
            return new Pass(renewed, refused, java.util.Set.of());
        }
    }

    private Uni<Pass> renewPass(String workerId, java.util.Map<UUID, Integer> attempts, java.util.Set<UUID> ids, boolean skipLocked) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(new Pass(java.util.List.of(), java.util.List.of(), java.util.Set.of()));
        }
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> (skipLocked ? Uni.createFrom().voidItem()
                        // a pass that waits for held rows waits so long at most (for this transaction only)
                        : s.createNativeQuery("SELECT set_config('lock_timeout', ?1, true), set_config('statement_timeout', ?2, true)",
                                        Object[].class)
                                .setParameter(1, HELD_ROW_WAIT.toMillis() + "ms").setParameter(2, HELD_ROWS_WAIT.toMillis() + "ms")
                                .getSingleResult().replaceWithVoid())
                .flatMap(x -> s.createNativeQuery("SELECT id, phase, attempt, "
                        + "owner_id, lease_expires_at, cancel_requested_at, worker_id FROM migration "
                        + "WHERE id = ANY(CAST(CAST(?1 AS text[]) AS uuid[])) ORDER BY id FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : ""),
                        Object[].class)
                .setParameter(1, uuids(ids)).getResultList()
                .flatMap(found -> {
                    Instant now = Instant.now();
                    java.util.List<UUID> renewed = new java.util.ArrayList<>();
                    java.util.List<Refused> refused = new java.util.ArrayList<>();
                    java.util.Set<UUID> unseen = new java.util.HashSet<>(ids);
                    for (Object[] row : found) {
                        UUID id = (UUID) row[0];
                        unseen.remove(id);
                        Claims.Facts facts = new Claims.Facts(MigrationPhase.valueOf((String) row[1]), ((Number) row[2]).intValue(),
                                (String) row[3], instant(row[4]), instant(row[5]), (String) row[6]);
                        // the driver and whether jobs outlive the worker matter to a first claim only
                        Claims.Verdict v = Claims.decide(id, facts, new Claims.Request(attempts.get(id), workerId, "unknown", false), now);
                        if (v.granted() && v.renewal()) {
                            renewed.add(id);
                        } else {
                            refused.add(new Refused(id, v.granted() ? "not-claimed" : v.slug(), v.granted()
                                    ? "worker " + workerId + " never claimed migration " + id + "; claim it first" : v.detail()));
                        }
                    }
                    Pass pass = new Pass(renewed, refused, unseen);
                    return renewed.isEmpty() ? Uni.createFrom().item(pass)
                            : s.createNativeQuery("UPDATE migration SET lease_expires_at = ?1, version = version + 1 "
                                            + "WHERE id = ANY(CAST(CAST(?2 AS text[]) AS uuid[]))")
                                    .setParameter(1, now.plus(config.claimLease())).setParameter(2, uuids(renewed))
                                    .executeUpdate().replaceWith(pass);
                }))));
    }

    private static String[] uuids(java.util.Collection<UUID> ids) {
        return ids.stream().map(UUID::toString).toArray(String[]::new);
    }

    /** A TIMESTAMPTZ column as the reactive driver hands it over. */
    private static Instant instant(Object column) {
        return column == null ? null : column instanceof java.time.OffsetDateTime o ? o.toInstant() : (Instant) column;
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
