package dev.ferry.scheduler.evacuation;

import dev.ferry.scheduler.client.InventoryRefusal;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.plan.EvacuationEta;
import dev.ferry.scheduler.service.Dispatcher;
import dev.ferry.scheduler.service.MigrationService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Re-plans an evacuation's destinations from what its migrations measured: a waiting move whose destination turned
 * out slower than the evacuation as a whole (a link slower than declared, a host busier than it looked) goes to the
 * host where it is now predicted to end soonest, its forecast there times what that host is believed to show
 * ({@link EvacuationEta#worthLeaving}). The host is chosen as a re-placement at dispatch chooses one (inventory's
 * pre-checks, the room queued migrations claim, the placement rules), leaving out every destination measured at least
 * as slow. What runs is left alone; the order stays the plan's.
 *
 * <p>Inventory is asked outside any transaction; the change is made in one that finds the migration still waiting for
 * the same destination (else it moved on meanwhile, and nothing is done).
 */
@ApplicationScoped
public class SlowDestinations {
    private static final Logger LOG = Logger.getLogger(SlowDestinations.class);
    /** At most this many waiting moves are weighed per evacuation and pass: each asks inventory for its candidates. */
    static final int PER_PASS = 8;

    @Inject
    MigrationService migrations;

    @Inject
    Dispatcher dispatcher;

    /** A waiting move of an evacuation whose destination was measured slower than the evacuation as a whole. */
    record Waiting(UUID evacuationId, UUID migrationId, long fromHostId, EvacuationEta.Estimate estimate) {
    }

    /** The waiting moves of one evacuation worth weighing, from its migrations and the estimate made of them. */
    static List<Waiting> worthWeighing(UUID evacuation, List<Migration> ms, EvacuationEta.Estimate estimate) {
        var slower = estimate.slowerThanOverall();
        return ms.stream()
                .filter(m -> m.phase() == MigrationPhase.QUEUED && m.targetChoice.replaceable() && slower.contains(m.targetHostId))
                .limit(PER_PASS)
                .map(m -> new Waiting(evacuation, m.id, m.targetHostId, estimate)).toList();
    }

    /** Weighs each, one after the other; one that cannot be weighed now (inventory away) is weighed on a later pass. */
    public Uni<Void> weigh(List<Waiting> waiting) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Waiting w : waiting) {
            chain = chain.call(() -> weigh(w)
                    .onFailure().invoke(e -> LOG.warnf("evacuation %s: the destination of migration %s not weighed again now: %s",
                            w.evacuationId(), w.migrationId(), e.getMessage()))
                    .onFailure().recoverWithNull());
        }
        return chain;
    }

    private Uni<Void> weigh(Waiting w) {
        return Panache.withSession(() -> Migration.<Migration>findById(w.migrationId()))
                .flatMap(m -> !stillWaiting(m, w) ? Uni.createFrom().voidItem()
                        : migrations.replacement(m, w.estimate().asSlowAs(w.fromHostId()))
                                .onFailure(InventoryRefusal.class).recoverWithItem(e -> new MigrationService.Replaced(null, null))
                                .flatMap(r -> r.found() == null ? Uni.createFrom().voidItem() : moveIfFaster(m, w, r.found())));
    }

    private Uni<Void> moveIfFaster(Migration m, Waiting w, MigrationService.Replacement there) {
        long newHost = there.target().host().id();
        double slowHere = w.estimate().slowdownOf(w.fromHostId());
        double slowThere = w.estimate().slowdownOf(newHost);
        long here = m.predictedTotalTimeMillis == null ? 0 : m.predictedTotalTimeMillis;
        long thereMillis = migrations.forecastMillisAt(m, there);
        if (!EvacuationEta.worthLeaving(here, slowHere, thereMillis, slowThere)) {
            return Uni.createFrom().voidItem();
        }
        String why = String.format(Locale.ROOT, "evacuation re-planned from what its migrations measured: host %d took %.1fx "
                + "its forecasts, host %d (%s) is believed at %.1fx; predicted %.0f s there against %.0f s here", w.fromHostId(),
                slowHere, newHost, there.target().host().name(), slowThere, thereMillis * slowThere / 1000, here * slowHere / 1000);
        return Panache.withTransaction(() -> Migration.<Migration>findById(m.id, LockModeType.PESSIMISTIC_WRITE)
                        .flatMap(locked -> {
                            if (!stillWaiting(locked, w)) {
                                return Uni.createFrom().voidItem(); // started, cancelled or re-placed meanwhile
                            }
                            AuditEntry audit = AuditEntry.of(locked.id, AuditEntry.SENT, "EVACUATION_REPLANNED",
                                    w.evacuationId().toString(), locked.attempt, null, why);
                            audit.note = MigrationService.retarget(locked, there, why, migrations.steering(locked.policy), Instant.now());
                            LOG.infof("evacuation %s: migration %s of VM %s %s", w.evacuationId(), locked.id, locked.vmName, audit.note);
                            return audit.persist().replaceWithVoid();
                        }))
                .invoke(dispatcher::kick);
    }

    private static boolean stillWaiting(Migration m, Waiting w) {
        return m != null && m.phase() == MigrationPhase.QUEUED && m.targetHostId == w.fromHostId();
    }
}
