package dev.ferry.scheduler.evacuation;

import dev.ferry.scheduler.model.Evacuation;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.scheduler.plan.EvacuationEta;
import dev.ferry.scheduler.plan.EvacuationEta.MoveNow;
import dev.ferry.scheduler.service.DirtyHistory;
import dev.ferry.scheduler.service.SchedulerConfig;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Follows every evacuation under way: its ETA from what its migrations measured ({@link EvacuationEta}), written down
 * every pass so that its error can be told once it has ended, and when it ended. One replica does it at a time (a
 * transaction-scoped advisory lock); a database away skips a pass.
 */
@ApplicationScoped
public class EvacuationTracker {
    private static final Logger LOG = Logger.getLogger(EvacuationTracker.class);
    /** pg_try_advisory_xact_lock's key for this job: the ASCII bytes of "EvacTrkr", distinct from the other jobs' keys. */
    static final long LOCK = 0x4576_6163_5472_6b72L;

    @Inject
    SlowDestinations slowDestinations;

    @Inject
    DirtyHistory history;

    @Inject
    SchedulerConfig config;

    @Scheduled(every = "${ferry.scheduler.evacuation-track-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> track() {
        List<SlowDestinations.Waiting> slow = new ArrayList<>();
        return Panache.withTransaction(() -> Panache.getSession()
                        .flatMap(s -> s.createNativeQuery("SELECT pg_try_advisory_xact_lock(:k)", Boolean.class).setParameter("k", LOCK)
                                .getSingleResult())
                        .flatMap(mine -> mine ? Evacuation.<Evacuation>list("state = 'RUNNING' and finishedAt is null")
                                .flatMap(evacuations -> trackAll(evacuations, slow)) : Uni.createFrom().voidItem().invoke(dirty::clear)))
                .onFailure().invoke(e -> LOG.warnf("evacuation ETAs not followed in this pass: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                // after the transaction: weighing a destination again asks inventory
                .call(() -> slowDestinations.weigh(slow));
    }

    private Uni<Void> trackAll(List<Evacuation> evacuations, List<SlowDestinations.Waiting> slow) {
        followedNow.clear(); // a pass that failed half-way left some
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Evacuation e : evacuations) {
            chain = chain.call(() -> track(e, Instant.now(), slow));
        }
        // the dirty models of migrations no evacuation followed here any more (ended, cancelled) are dropped
        return chain.invoke(() -> dirty.keySet().retainAll(followedNow)).invoke(followedNow::clear);
    }

    /** The migrations this pass followed: what the dirty models are kept for. */
    private final java.util.Set<UUID> followedNow = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param slow where the waiting moves whose destination was measured slow are added, to be weighed again */
    Uni<Void> track(Evacuation e, Instant now, List<SlowDestinations.Waiting> slow) {
        return Migration.<Migration>list("evacuationId = ?1 order by createdAt", e.id)
                .invoke(ms -> ms.forEach(m -> followedNow.add(m.id)))
                .flatMap(ms -> worked(e.id).flatMap(worked -> model(ms).flatMap(model -> {
                    if (ms.stream().allMatch(m -> m.phase().isFinal())) {
                        Instant finished = finishedAt(ms, now);
                        // by statement, not through the entity: a cancel writing the row meanwhile must keep its state
                        return update(e, "finished_at = :v", finished);
                    }
                    List<Migration> followed = followed(ms);
                    List<MoveNow> moves = moves(followed, worked, now);
                    EvacuationEta.Estimate measured = EvacuationEta.estimate(moves, e.concurrency, model.apply(e, followed));
                    slow.addAll(slowDestinations.worthWeighing(e.id, ms, measured));
                    return replan(e, ms, moves).flatMap(concurrency -> {
                        long left = concurrency == e.concurrency ? measured.remainingMillis()
                                : EvacuationEta.estimate(moves, concurrency, model.apply(e, followed)).remainingMillis();
                        return Panache.getSession().flatMap(s -> s.createNativeQuery("INSERT INTO evacuation_eta "
                                        + "(evacuation_id, at, eta_at, concurrency) VALUES (:e, :at, :eta, :c) ON CONFLICT DO NOTHING")
                                .setParameter("e", e.id).setParameter("at", now).setParameter("eta", now.plusMillis(left))
                                .setParameter("c", concurrency).executeUpdate()).replaceWithVoid();
                    });
                })));
    }

    /**
     * When the last of an evacuation's migrations ended: the latest of their {@code endedAt}, the column that records
     * the end (today equal to {@code updatedAt} once a migration has ended, as nothing changes an ended row). A
     * migration ended by a replica from before V22 has no {@code endedAt} until retention stamps it with its
     * {@code updatedAt}, which stands in meanwhile: the answer is the same before and after the stamp.
     *
     * @param now the answer when no migration says (an evacuation that had none)
     */
    static Instant finishedAt(List<Migration> ms, Instant now) {
        return ms.stream().map(m -> m.endedAt != null ? m.endedAt : m.updatedAt).filter(java.util.Objects::nonNull)
                .max(Instant::compareTo).orElse(now);
    }

    /** The dirty model of each migration's VM as the plan had it, kept while its evacuation runs: it does not change. */
    private final Map<UUID, DirtyModel> dirty = new java.util.concurrent.ConcurrentHashMap<>();

    /** The migrations an ETA follows, in plan order: done, running and waiting (not those failed or cancelled). */
    static List<Migration> followed(List<Migration> ms) {
        return ms.stream().filter(m -> m.phase() == MigrationPhase.SUCCEEDED && m.totalTimeMillis != null
                || m.phase() == MigrationPhase.RUNNING || m.phase() == MigrationPhase.QUEUED || m.phase() == MigrationPhase.SCHEDULED).toList();
    }

    /**
     * The model an evacuation's rest is played in ({@link EtaModel}), once its VMs' dirty models as planned are at hand
     * and its running migrations' rounds are read.
     */
    private Uni<java.util.function.BiFunction<Evacuation, List<Migration>, EvacuationEta.Model>> model(List<Migration> ms) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Migration m : ms) {
            if (!m.phase().isFinal() && !dirty.containsKey(m.id)) {
                chain = chain.call(() -> history.modelFor(m.vmId, m.memoryBytes, EtaModel.sourceLink(m)).invoke(d -> dirty.put(m.id, d)));
            }
        }
        Map<UUID, Migration> running = new HashMap<>();
        ms.stream().filter(m -> m.phase() == MigrationPhase.RUNNING).forEach(m -> running.put(m.id, m));
        Uni<List<MigrationRound>> rounds = running.isEmpty() ? Uni.createFrom().item(List.of())
                : MigrationRound.list("migrationId in ?1 and stopAndCopy = false", running.keySet());
        return chain.replaceWith(rounds).map(list -> {
            Map<UUID, List<MigrationRound>> evidence = EtaModel.evidence(list, running);
            return (e, followed) -> EtaModel.of(e.maxOutbound, followed, evidence, dirty,
                    MigrationLimits.defaults(config.defaultMaxDowntimeMillis()), config.forecastPolicy());
        });
    }

    /**
     * Lets more leave at once when the migrations so far sent well below their share of the links
     * ({@link EvacuationEta#concurrency}): the queued ones take the new limit, and the dispatcher starts them as slots
     * allow. Destinations and order stay as planned; what runs is left alone.
     */
    Uni<Integer> replan(Evacuation e, List<Migration> ms, List<MoveNow> moves) {
        List<Migration> queued = ms.stream().filter(m -> m.phase() == MigrationPhase.QUEUED).toList();
        if (e.maxOutbound == null || queued.isEmpty()) {
            return Uni.createFrom().item(e.concurrency);
        }
        double source = EtaModel.sourceLink(queued.get(0));
        Map<Long, Double> targets = new HashMap<>();
        queued.forEach(m -> targets.put(m.targetHostId, (double) EtaModel.targetLink(m)));
        int concurrency = EvacuationEta.concurrency(moves, e.concurrency, e.maxOutbound, source, targets);
        if (concurrency == e.concurrency) {
            return Uni.createFrom().item(concurrency);
        }
        LOG.infof("evacuation %s of host %d: %d at once from now on, was %d: its migrations send well below their share of the links",
                e.id, e.hostId, concurrency, e.concurrency);
        return update(e, "concurrency = :v", concurrency).call(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                // the version moves too: an entity read before this must not write the old limit back unnoticed
                "UPDATE migration SET source_max_outbound = :c, version = version + 1 WHERE evacuation_id = :e AND phase = 'QUEUED'")
                .setParameter("c", concurrency).setParameter("e", e.id).executeUpdate())).replaceWith(concurrency);
    }

    private static Uni<Void> update(Evacuation e, String set, Object value) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("UPDATE evacuation SET " + set + " WHERE id = :e")
                .setParameter("v", value).setParameter("e", e.id).executeUpdate()).replaceWithVoid();
    }

    /** Each of the followed migrations ({@link #followed}) as it stands now, in plan order. */
    static List<MoveNow> moves(List<Migration> followed, Map<UUID, Worked> worked, Instant now) {
        List<MoveNow> moves = new ArrayList<>();
        for (Migration m : followed) {
            Worked w = worked.getOrDefault(m.id, Worked.NONE);
            MigrationPhase phase = m.phase();
            if (phase == MigrationPhase.SUCCEEDED) {
                moves.add(new MoveNow(m.targetHostId, EvacuationEta.State.DONE, w.millis(), w.bytes(), 0, w.judgedMillis(),
                        w.atShareMillis(), EtaModel.share(m), m.totalTimeMillis, 0));
            } else if (phase == MigrationPhase.RUNNING) {
                long running = m.attemptRunningSince == null ? 0 : Math.max(0, java.time.Duration.between(m.attemptRunningSince, now).toMillis());
                // what this attempt's rounds sent and left dirty (an attempt before it started again from the first page)
                moves.add(new MoveNow(m.targetHostId, EvacuationEta.State.RUNNING, w.millis(), w.bytes(),
                        w.millis() > 0 ? Math.max(0, m.remainingBytes) : m.memoryBytes, w.judgedMillis(), w.atShareMillis(), EtaModel.share(m), running,
                        EtaModel.meanShare(m, now)));
            } else {
                moves.add(MoveNow.waiting(m.targetHostId));
            }
        }
        return moves;
    }

    /**
     * What the rounds of each migration's current attempt sent and took, and, of those whose share of the links held
     * throughout, what they took and what their bytes take at that share. The paused final copy is not judged at the
     * share: it goes at the link's own speed (a post-copy's pull keeps to the share, and is).
     */
    record Worked(long bytes, long millis, long judgedMillis, long atShareMillis) {
        static final Worked NONE = new Worked(0, 0, 0, 0);
    }

    /** The rounds that ran at the share they were given: live rounds and a post-copy's pull, not the paused copy. */
    private static final String AT_SHARE = "r.share_bytes_per_second > 0 AND NOT (r.stop_and_copy AND r.mode <> 'POST_COPY')";

    static Uni<Map<UUID, Worked>> worked(UUID evacuation) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT r.migration_id, sum(r.bytes_sent), sum(r.duration_millis), "
                        + "sum(r.duration_millis) FILTER (WHERE " + AT_SHARE + "), "
                        + "sum(r.bytes_sent * 1000.0 / r.share_bytes_per_second) FILTER (WHERE " + AT_SHARE + ") "
                        + "FROM migration_round r JOIN migration m ON m.id = r.migration_id AND m.attempt = r.attempt "
                        + "WHERE m.evacuation_id = :e GROUP BY r.migration_id", Object[].class).setParameter("e", evacuation).getResultList())
                .map(rows -> {
                    Map<UUID, Worked> out = new HashMap<>();
                    rows.forEach(r -> out.put((UUID) r[0], new Worked(((Number) r[1]).longValue(), ((Number) r[2]).longValue(),
                            r[3] == null ? 0 : ((Number) r[3]).longValue(), r[4] == null ? 0 : Math.round(((Number) r[4]).doubleValue()))));
                    return out;
                });
    }

    /** The ETAs an evacuation gave, as (ms from its start, its ETA in ms from its start), the plan's own first. */
    static Uni<List<long[]>> etas(Evacuation e) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT at, eta_at FROM evacuation_eta WHERE evacuation_id = :e ORDER BY at",
                        Object[].class).setParameter("e", e.id).getResultList())
                .map(rows -> {
                    List<long[]> out = new ArrayList<>();
                    out.add(new long[] {0, e.predictedMakespanMillis});
                    for (Object[] r : rows) {
                        out.add(new long[] {millisSince(e.createdAt, r[0]), millisSince(e.createdAt, r[1])});
                    }
                    return out;
                });
    }

    private static long millisSince(Instant start, Object at) {
        return java.time.Duration.between(start, instant(at)).toMillis();
    }

    private static Instant instant(Object at) {
        return at instanceof java.time.OffsetDateTime o ? o.toInstant() : (Instant) at;
    }
}
