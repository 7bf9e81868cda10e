package dev.ferry.scheduler.service;

import dev.ferry.events.CommandType;
import dev.ferry.model.forecast.LinkShares;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Gives every migration under way its share of the links it crosses and tells its worker (LIMIT_BANDWIDTH): a host's
 * outbound and inbound bandwidth is shared by the migrations leaving and entering it ({@link LinkShares}), and each
 * worker's driver holds its migration to its share, as operators cap migration bandwidth on real hosts. The scheduler
 * is the one place that sees every migration, so it is the one that can divide a link.
 *
 * <p>A share is computed when a migration starts (its START carries it, and those it now shares a link with get less)
 * and on every dispatcher pass (what ended leaves more for the others). What was last sent is kept on the migration
 * ({@code bandwidth_cap_bytes_per_second}, V15), written with the command in one transaction, so that a command rolled back
 * is sent again and another replica knows what was sent. The column is written by its own UPDATE, never through the
 * entity: the rows of running migrations are updated by their workers' events at the same time, and the entity's
 * optimistic version must not make either transaction fail.
 */
@ApplicationScoped
public class LinkAllocation {
    /** A share that moved less than this since it was sent is not worth a command. */
    static final double RESEND_CHANGE = 0.05;

    @Inject
    Commands commands;

    /**
     * In the starting migration's transaction: its share, for its START (null: the whole link), and a smaller cap for
     * each migration under way that it now shares a link with.
     */
    public Uni<Long> starting(Migration starting) {
        return underWay().flatMap(active -> {
            List<Flow> all = active.stream().filter(f -> !f.id().equals(starting.id)).toList();
            Map<UUID, Long> caps = caps(all, Flow.of(starting));
            Long mine = caps.get(starting.id);
            // a first START's share holds from the attempt's first round; a worker taking over a job under way (the
            // attempt's next run) may get another one mid-round
            java.time.Instant changedAt = starting.run > 1 ? java.time.Instant.now() : null;
            return record(starting.id, mine, changedAt).call(() -> resend(all, caps)).replaceWith(mine);
        });
    }

    /** A dispatcher pass: what ended since leaves its share to the migrations still under way. */
    public Uni<Void> rebalance() {
        return Panache.withTransaction(() -> underWay().flatMap(active -> resend(active, caps(active, null))));
    }

    /**
     * What dividing the links needs of a migration under way, and the cap last sent to it. Read as columns, not
     * entities: a busy fleet has a thousand migrations under way, and every start and every pass reads them all.
     */
    record Flow(UUID id, long sourceHostId, long targetHostId, long sourceLink, long targetLink, long link, Long capSent) {
        static Flow of(Migration m) {
            long link = m.linkBandwidthBytesPerSecond;
            return new Flow(m.id, m.sourceHostId, m.targetHostId, m.sourceLinkBytesPerSecond != null ? m.sourceLinkBytesPerSecond : link,
                    m.targetLinkBytesPerSecond != null ? m.targetLinkBytesPerSecond : link, link, m.bandwidthCapBytesPerSecond);
        }
    }

    private static Uni<List<Flow>> underWay() {
        List<String> phases = MigrationPhase.UNDER_WAY.stream().map(Enum::name).toList();
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT id, source_host_id, target_host_id, "
                        + "source_link_bytes_per_second, target_link_bytes_per_second, link_bandwidth_bytes_per_second, "
                        + "bandwidth_cap_bytes_per_second FROM migration WHERE phase IN (:phases)", Object[].class)
                .setParameter("phases", phases).getResultList())
                .map(rows -> rows.stream().map(r -> {
                    long link = ((Number) r[5]).longValue();
                    return new Flow((UUID) r[0], ((Number) r[1]).longValue(), ((Number) r[2]).longValue(),
                            r[3] != null ? ((Number) r[3]).longValue() : link, r[4] != null ? ((Number) r[4]).longValue() : link,
                            link, r[6] != null ? ((Number) r[6]).longValue() : null);
                }).toList());
    }

    /**
     * Sends each migration whose share moved its new cap. The row is locked before its command is written, as every
     * other writer of a migration's commands does (an operator's cancel locks the row, then writes to the outbox, whose
     * per-key lock comes second): the other order deadlocks with them. A row someone else holds is skipped, never
     * waited for, so that two allocations cannot wait on each other either: the next dispatcher pass gives it its share.
     */
    private Uni<Void> resend(List<Flow> flows, Map<UUID, Long> caps) {
        List<UUID> moved = flows.stream().filter(f -> changed(orZero(f.capSent()), orZero(caps.get(f.id())))).map(Flow::id).toList();
        if (moved.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return lockStillUnderWay(moved).flatMap(sent -> {
            List<UUID> due = moved.stream().filter(id -> sent.containsKey(id) // ended meanwhile, or another transaction holds it
                    && changed(orZero(sent.get(id)), orZero(caps.get(id)))) // or another replica sent it already
                    .toList();
            // the whole row only of those to be told: their command carries the migration
            return due.isEmpty() ? Uni.createFrom().voidItem() : Migration.<Migration>list("id in ?1", due).flatMap(ms -> {
                Uni<Void> chain = Uni.createFrom().voidItem();
                for (Migration m : ms) {
                    long now = orZero(caps.get(m.id));
                    // the whole link again is said as a cap of the link: a LIMIT_BANDWIDTH always names one
                    long cap = now == 0 ? m.linkBandwidthBytesPerSecond : now;
                    chain = chain.call(() -> commands.send(m, CommandType.LIMIT_BANDWIDTH, cap))
                            .call(() -> record(m.id, now == 0 ? null : now, java.time.Instant.now()));
                }
                return chain;
            });
        });
    }

    /** Locks, in id order, the rows of these migrations that are still under way and free: their last cap sent by id. */
    private static Uni<Map<UUID, Long>> lockStillUnderWay(List<UUID> ids) {
        List<String> phases = MigrationPhase.UNDER_WAY.stream().map(Enum::name).toList();
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT id, bandwidth_cap_bytes_per_second FROM migration"
                        + " WHERE id IN (:ids) AND phase IN (:phases) ORDER BY id FOR UPDATE SKIP LOCKED", Object[].class)
                .setParameter("ids", ids).setParameter("phases", phases).getResultList())
                .map(rows -> {
                    Map<UUID, Long> sent = new HashMap<>();
                    rows.forEach(r -> sent.put((UUID) r[0], r[1] == null ? null : ((Number) r[1]).longValue()));
                    return sent;
                });
    }

    private static long orZero(Long cap) {
        return cap == null ? 0 : cap;
    }

    /**
     * Keeps what was sent, in the caller's transaction, and when it changed while the migration ran ({@code changedAt};
     * null with an attempt's first START: the share it begins with holds from its first round's start). With it, what
     * the shares so far let it send (V20): the cap that held until now, times how long it held, is added (the SET's
     * right-hand sides read the row as it was); an attempt's first START begins again from nothing (and its first
     * round, once more: MigrationEvents). A migration started before V20 keeps no start, and its mean stays unknown.
     */
    private static Uni<Void> record(UUID id, Long cap, java.time.Instant changedAt) {
        // a null parameter has no type PostgreSQL can infer: the whole link, and a start, are said as NULL in the statement
        String set = (cap == null ? "bandwidth_cap_bytes_per_second = NULL" : "bandwidth_cap_bytes_per_second = :cap")
                + (changedAt == null ? ", cap_changed_at = NULL" : ", cap_changed_at = :at")
                + (changedAt == null ? ", share_capacity_bytes = 0, share_from = :now"
                        : ", share_capacity_bytes = coalesce(share_capacity_bytes, 0) + coalesce(bandwidth_cap_bytes_per_second, "
                                + "link_bandwidth_bytes_per_second) * greatest(0, extract(epoch FROM (CAST(:now AS TIMESTAMPTZ) - "
                                + "coalesce(share_since, CAST(:now AS TIMESTAMPTZ)))))")
                + ", share_since = :now";
        java.time.Instant now = java.time.Instant.now();
        return Panache.getSession().flatMap(s -> {
            var q = s.createNativeQuery("UPDATE migration SET " + set + " WHERE id = :id").setParameter("id", id)
                    .setParameter("now", now);
            if (cap != null) {
                q.setParameter("cap", cap);
            }
            if (changedAt != null) {
                q.setParameter("at", changedAt);
            }
            return q.executeUpdate();
        }).replaceWithVoid();
    }

    /**
     * Each migration's cap: its max-min share of the two hosts' links, or null where the share is its whole stream's
     * link (nothing to hold it to).
     *
     * @param extra a migration about to start, counted with the others (may be null)
     */
    static Map<UUID, Long> caps(List<Flow> active, Flow extra) {
        List<Flow> all = new ArrayList<>(active);
        if (extra != null) {
            all.add(extra);
        }
        Map<Long, Double> links = new HashMap<>();
        List<LinkShares.Flow<UUID>> flows = new ArrayList<>();
        for (Flow f : all) {
            links.put(f.sourceHostId(), (double) f.sourceLink());
            links.put(f.targetHostId(), (double) f.targetLink());
            flows.add(LinkShares.Flow.of(f.id(), f.sourceHostId(), f.targetHostId()));
        }
        Map<UUID, Double> shares = LinkShares.maxMin(flows, links::get);
        Map<UUID, Long> caps = new HashMap<>();
        for (Flow f : all) {
            long share = Math.round(shares.get(f.id()));
            caps.put(f.id(), share < f.link() * (1 - RESEND_CHANGE / 5) ? share : null);
        }
        return caps;
    }

    static boolean changed(long before, long now) {
        if (before == 0 || now == 0) {
            return before != now;
        }
        return Math.abs(now - before) > RESEND_CHANGE * before;
    }
}
