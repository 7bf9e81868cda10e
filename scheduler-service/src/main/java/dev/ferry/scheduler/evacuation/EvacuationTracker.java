package dev.ferry.scheduler.evacuation;

import dev.ferry.scheduler.model.Evacuation;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.plan.EvacuationEta;
import dev.ferry.scheduler.plan.EvacuationEta.MoveNow;
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

    @Scheduled(every = "${ferry.scheduler.evacuation-track-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> track() {
        List<SlowDestinations.Waiting> slow = new ArrayList<>();
        return Panache.withTransaction(() -> Panache.getSession()
                        .flatMap(s -> s.createNativeQuery("SELECT pg_try_advisory_xact_lock(:k)", Boolean.class).setParameter("k", LOCK)
                                .getSingleResult())
                        .flatMap(mine -> mine ? Evacuation.<Evacuation>list("state = 'RUNNING' and finishedAt is null")
                                .flatMap(evacuations -> trackAll(evacuations, slow)) : Uni.createFrom().voidItem()))
                .onFailure().invoke(e -> LOG.warnf("evacuation ETAs not followed in this pass: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                // after the transaction: weighing a destination again asks inventory
                .call(() -> slowDestinations.weigh(slow));
    }

    private Uni<Void> trackAll(List<Evacuation> evacuations, List<SlowDestinations.Waiting> slow) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Evacuation e : evacuations) {
            chain = chain.call(() -> track(e, Instant.now(), slow));
        }
        return chain;
    }

    /** @param slow where the waiting moves whose destination was measured slow are added, to be weighed again */
    Uni<Void> track(Evacuation e, Instant now, List<SlowDestinations.Waiting> slow) {
        return Migration.<Migration>list("evacuationId = ?1 order by createdAt", e.id)
                .flatMap(ms -> worked(e.id).flatMap(worked -> {
                    if (ms.stream().allMatch(m -> m.phase().isFinal())) {
                        Instant finished = ms.stream().map(m -> m.updatedAt).filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(now);
                        // by statement, not through the entity: a cancel writing the row meanwhile must keep its state
                        return update(e, "finished_at = :v", finished);
                    }
                    List<MoveNow> moves = moves(ms, worked);
                    EvacuationEta.Estimate measured = EvacuationEta.estimate(moves, e.concurrency);
                    slow.addAll(slowDestinations.worthWeighing(e.id, ms, measured));
                    return replan(e, ms, moves).flatMap(concurrency -> {
                        long left = concurrency == e.concurrency ? measured.remainingMillis()
                                : EvacuationEta.estimate(moves, concurrency).remainingMillis();
                        return Panache.getSession().flatMap(s -> s.createNativeQuery("INSERT INTO evacuation_eta "
                                        + "(evacuation_id, at, eta_at, concurrency) VALUES (:e, :at, :eta, :c) ON CONFLICT DO NOTHING")
                                .setParameter("e", e.id).setParameter("at", now).setParameter("eta", now.plusMillis(left))
                                .setParameter("c", concurrency).executeUpdate()).replaceWithVoid();
                    });
                }));
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
        Migration first = queued.get(0);
        double source = first.sourceLinkBytesPerSecond != null ? first.sourceLinkBytesPerSecond : first.linkBandwidthBytesPerSecond;
        Map<Long, Double> targets = new HashMap<>();
        queued.forEach(m -> targets.put(m.targetHostId, (double) (m.targetLinkBytesPerSecond != null ? m.targetLinkBytesPerSecond
                : m.linkBandwidthBytesPerSecond)));
        int concurrency = EvacuationEta.concurrency(moves, e.concurrency, e.maxOutbound, source, targets);
        if (concurrency == e.concurrency) {
            return Uni.createFrom().item(concurrency);
        }
        LOG.infof("evacuation %s of host %d: %d at once from now on, was %d: its migrations send well below their share of the links",
                e.id, e.hostId, concurrency, e.concurrency);
        return update(e, "concurrency = :v", concurrency).call(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "UPDATE migration SET source_max_outbound = :c WHERE evacuation_id = :e AND phase = 'QUEUED'")
                .setParameter("c", concurrency).setParameter("e", e.id).executeUpdate())).replaceWith(concurrency);
    }

    private static Uni<Void> update(Evacuation e, String set, Object value) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("UPDATE evacuation SET " + set + " WHERE id = :e")
                .setParameter("v", value).setParameter("e", e.id).executeUpdate()).replaceWithVoid();
    }

    /** Each move as it stands now, in plan order. */
    static List<MoveNow> moves(List<Migration> ms, Map<UUID, Long> worked) {
        List<MoveNow> moves = new ArrayList<>();
        for (Migration m : ms) {
            long forecast = m.predictedTotalTimeMillis == null ? 0 : m.predictedTotalTimeMillis;
            MigrationPhase phase = m.phase();
            if (phase == MigrationPhase.SUCCEEDED && m.totalTimeMillis != null) {
                moves.add(new MoveNow(m.targetHostId, EvacuationEta.State.DONE, forecast, m.totalTimeMillis, 1, m.bytesSent, share(m)));
            } else if (phase == MigrationPhase.RUNNING) {
                long sent = m.bytesSent;
                double done = sent + m.remainingBytes <= 0 ? 0 : sent / (double) (sent + Math.max(0, m.remainingBytes));
                moves.add(new MoveNow(m.targetHostId, EvacuationEta.State.RUNNING, forecast, worked.getOrDefault(m.id, 0L), done,
                        m.bytesSent, share(m)));
            } else if (phase == MigrationPhase.QUEUED || phase == MigrationPhase.SCHEDULED) {
                moves.add(new MoveNow(m.targetHostId, EvacuationEta.State.WAITING, forecast, 0, 0));
            }
        }
        return moves;
    }

    /** The bandwidth the migration was given: its share of the links when it had one, else its link. */
    private static double share(Migration m) {
        return m.bandwidthCapBytesPerSecond != null ? m.bandwidthCapBytesPerSecond : m.linkBandwidthBytesPerSecond;
    }

    /** What the rounds of each migration's current attempt took, by migration: the time it has worked. */
    static Uni<Map<UUID, Long>> worked(UUID evacuation) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT r.migration_id, sum(r.duration_millis) FROM migration_round r "
                        + "JOIN migration m ON m.id = r.migration_id AND m.attempt = r.attempt WHERE m.evacuation_id = :e "
                        + "GROUP BY r.migration_id", Object[].class).setParameter("e", evacuation).getResultList())
                .map(rows -> {
                    Map<UUID, Long> out = new HashMap<>();
                    rows.forEach(r -> out.put((UUID) r[0], ((Number) r[1]).longValue()));
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
        Instant i = at instanceof java.time.OffsetDateTime o ? o.toInstant() : (Instant) at;
        return java.time.Duration.between(start, i).toMillis();
    }
}
