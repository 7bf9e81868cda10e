package dev.ferry.scheduler.evacuation;

import dev.ferry.scheduler.client.InventoryRefusal;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.plan.EvacuationEta;
import dev.ferry.scheduler.service.Dispatcher;
import dev.ferry.scheduler.service.MigrationService;
import dev.ferry.scheduler.service.SchedulerConfig;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Re-plans an evacuation's destinations from what its migrations measured: a waiting move whose destination was
 * measured markedly slower than the evacuation as a whole (a link slower than declared, a host busier than it looked)
 * may go elsewhere. The other host is the one a re-placement at dispatch would choose (inventory's pre-checks, the room
 * queued migrations claim, the placement rules, ranked by forecast), leaving out every destination measured markedly
 * slow or at least as slow as this one; the move goes there only when its forecast there times what that host is
 * believed to show beats its forecast here times this host's by {@value EvacuationEta#LEAVE_FOR}
 * ({@link EvacuationEta#worthLeaving}), both forecast with the VM's dirty model of now. A move is re-planned at most
 * once, so nothing bounces between hosts; one found not worth moving is weighed again only once its destination's
 * slowdown has grown. What runs is left alone; the order stays the plan's. Off with
 * {@code ferry.scheduler.evacuation-replan-destinations=false}.
 *
 * <p>Inventory is asked outside any transaction, and a pass stops at its first failure (the next pass tries again);
 * the change is made in a transaction that finds the migration still waiting for the same host.
 */
@ApplicationScoped
public class SlowDestinations {
    private static final Logger LOG = Logger.getLogger(SlowDestinations.class);
    /** At most this many waiting moves are weighed per evacuation and pass: each asks inventory for its candidates. */
    static final int PER_PASS = 8;
    /** The start of the reason a re-planned move carries: how a move already re-planned is known. */
    static final String REPLANNED = "evacuation re-planned";
    /** A move found not worth moving is weighed again once its destination's slowdown has grown by this factor. */
    static final double WEIGH_AGAIN_AT = 1.1;

    @Inject
    MigrationService migrations;

    @Inject
    Dispatcher dispatcher;

    @Inject
    SchedulerConfig config;

    /** The slowdown each waiting move was last found not worth moving at (bounded: the oldest are forgotten). */
    private final Map<UUID, Double> keptAt = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Double> eldest) {
            return size() > 10_000;
        }
    });

    /** A waiting move of an evacuation whose destination was measured markedly slower than the evacuation as a whole. */
    record Waiting(UUID evacuationId, UUID migrationId, long fromHostId, EvacuationEta.Estimate estimate) {
    }

    /** The waiting moves of one evacuation worth weighing, from its migrations and the estimate made of them. */
    List<Waiting> worthWeighing(UUID evacuation, List<Migration> ms, EvacuationEta.Estimate estimate) {
        if (!config.evacuationReplanDestinations()) {
            return List.of();
        }
        Set<Long> slow = estimate.markedlySlower();
        return ms.stream()
                .filter(m -> m.phase() == MigrationPhase.QUEUED && m.targetChoice.replaceable() && slow.contains(m.targetHostId)
                        && (m.targetReason == null || !m.targetReason.startsWith(REPLANNED))
                        && estimate.slowdownOf(m.targetHostId) > WEIGH_AGAIN_AT * keptAt.getOrDefault(m.id, 0.0))
                .limit(PER_PASS)
                .map(m -> new Waiting(evacuation, m.id, m.targetHostId, estimate)).toList();
    }

    /** Weighs each, one after the other, until inventory fails to answer: the rest wait for a later pass. */
    public Uni<Void> weigh(List<Waiting> waiting) {
        AtomicBoolean failed = new AtomicBoolean();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Waiting w : waiting) {
            chain = chain.call(() -> failed.get() ? Uni.createFrom().voidItem() : weigh(w)
                    .onFailure().invoke(e -> {
                        failed.set(true);
                        LOG.warnf("evacuation %s: destinations not weighed again in this pass: %s", w.evacuationId(), e.getMessage());
                    })
                    .onFailure().recoverWithNull());
        }
        return chain;
    }

    private Uni<Void> weigh(Waiting w) {
        Set<Long> excluded = new HashSet<>(w.estimate().asSlowAs(w.fromHostId()));
        excluded.addAll(w.estimate().markedlySlower());
        return Panache.withSession(() -> Migration.<Migration>findById(w.migrationId()))
                .flatMap(m -> !stillWaiting(m, w) ? Uni.createFrom().voidItem()
                        : migrations.replacement(m, excluded)
                                // the VM or its source gone from inventory: the queue's own reactions deal with that
                                .onFailure(InventoryRefusal.class).recoverWithItem(e -> new MigrationService.Replaced(null, null))
                                .flatMap(r -> r.found() == null ? Uni.createFrom().voidItem() : moveIfFaster(m, w, r.found())));
    }

    private Uni<Void> moveIfFaster(Migration m, Waiting w, MigrationService.Replacement there) {
        long newHost = there.target().host().id();
        double slowHere = w.estimate().slowdownOf(w.fromHostId());
        double slowThere = w.estimate().slowdownOf(newHost);
        long source = there.sourceLinkBytesPerSecond();
        long hereMillis = migrations.forecastMillisAt(m, there.dirty(), source,
                m.targetLinkBytesPerSecond != null ? m.targetLinkBytesPerSecond : m.linkBandwidthBytesPerSecond);
        long thereMillis = migrations.forecastMillisAt(m, there.dirty(), source, there.target().host().linkBandwidthBytesPerSecond());
        if (!EvacuationEta.worthLeaving(hereMillis, slowHere, thereMillis, slowThere)) {
            keptAt.put(m.id, slowHere);
            return Uni.createFrom().voidItem();
        }
        String why = String.format(Locale.ROOT, "%s from what its migrations measured: host %d is believed at %.1fx its "
                + "forecasts, host %d (%s) at %.1fx; predicted %.0f s there against %.0f s here", REPLANNED, w.fromHostId(),
                slowHere, newHost, there.target().host().name(), slowThere, thereMillis * slowThere / 1000, hereMillis * slowHere / 1000);
        // the new host's room judged again under its lock, taken before the migration's row (as every holder does)
        return Panache.withTransaction(() -> MigrationService.roomHeld(there.target()).flatMap(room ->
                Migration.<Migration>findById(m.id, LockModeType.PESSIMISTIC_WRITE)
                        .flatMap(locked -> {
                            if (!stillWaiting(locked, w)) {
                                return Uni.createFrom().voidItem(); // started, cancelled or re-placed meanwhile
                            }
                            if (room != null && !room.fits()) {
                                LOG.infof("evacuation %s: migration %s stays: %s", w.evacuationId(), locked.id, room.shortfall());
                                return Uni.createFrom().voidItem(); // claimed meanwhile: weighed again in a later pass
                            }
                            AuditEntry audit = AuditEntry.of(locked.id, AuditEntry.SENT, "EVACUATION_REPLANNED",
                                    w.evacuationId().toString(), locked.attempt, null, why);
                            audit.note = MigrationService.retarget(locked, there, why, migrations.steering(locked.policy), Instant.now());
                            LOG.infof("evacuation %s: migration %s of VM %s %s", w.evacuationId(), locked.id, locked.vmName, audit.note);
                            return audit.persist().replaceWithVoid();
                        })))
                .invoke(() -> {
                    keptAt.remove(m.id);
                    dispatcher.kick();
                });
    }

    private static boolean stillWaiting(Migration m, Waiting w) {
        return m != null && m.phase() == MigrationPhase.QUEUED && m.targetHostId == w.fromHostId();
    }
}
