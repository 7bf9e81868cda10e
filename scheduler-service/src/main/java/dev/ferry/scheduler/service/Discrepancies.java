package dev.ferry.scheduler.service;

import dev.ferry.scheduler.model.Discrepancy;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Raises what disagrees with a decided outcome instead of applying it: a row an operator lists and resolves, a counter
 * ({@code ferry_discrepancies_raised_total}, by kind) and a WARN line. Runs in the caller's transaction. A gauge
 * ({@code ferry_discrepancies_open}) counts those still open, across replicas, from the table: what an alert watches.
 */
@ApplicationScoped
public class Discrepancies {
    private static final Logger LOG = Logger.getLogger(Discrepancies.class);

    @Inject
    MeterRegistry metrics;

    /** Open discrepancies as last counted; -1 until the first count (or while the database is away). */
    private final java.util.concurrent.atomic.AtomicLong open = new java.util.concurrent.atomic.AtomicLong(-1);

    void registerGauge(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        metrics.gauge("ferry_discrepancies_open", open);
    }

    /** Counts the open discrepancies for the gauge; every replica counts the same table. */
    @io.quarkus.scheduler.Scheduled(every = "${ferry.scheduler.gauge-interval:15s}",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> countOpen() {
        return io.quarkus.hibernate.reactive.panache.Panache.withSession(() -> Discrepancy.count("resolvedAt is null"))
                .invoke(open::set)
                .onFailure().invoke(e -> open.set(-1))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Raises it once: the same record delivered again (a replay, a duplicate) raises nothing new. */
    public Uni<Void> raise(UUID migrationId, String kind, String detail, String recordId, Instant now) {
        Uni<Long> seen = recordId == null ? Uni.createFrom().item(0L)
                : Discrepancy.count("migrationId = ?1 and kind = ?2 and recordId = ?3", migrationId, kind, recordId);
        return seen.flatMap(n -> {
            if (n > 0) {
                return Uni.createFrom().voidItem();
            }
            LOG.warnf("discrepancy %s on migration %s: %s", kind, migrationId, detail);
            metrics.counter("ferry_discrepancies_raised", "kind", kind).increment();
            return Discrepancy.of(migrationId, kind, detail, recordId, now).persist().replaceWithVoid();
        });
    }

    /**
     * Raises what a host's report contradicts, once while it stays open: the next sync that sees the same difference
     * (same kind and {@code subject}) raises nothing new; once acknowledged, it is raised again if it persists.
     */
    public Uni<Void> raiseAboutHost(long hostId, Long vmId, String kind, String detail, String subject, Instant now) {
        return Discrepancy.count("kind = ?1 and recordId = ?2 and resolvedAt is null", kind, subject).flatMap(n -> {
            if (n > 0) {
                return Uni.createFrom().voidItem();
            }
            LOG.warnf("discrepancy %s on host %d: %s", kind, hostId, detail);
            metrics.counter("ferry_discrepancies_raised", "kind", kind).increment();
            Discrepancy d = Discrepancy.of(null, kind, detail, subject, now);
            d.hostId = hostId;
            d.vmId = vmId;
            return d.persist().replaceWithVoid();
        });
    }

    /** Closes the open discrepancies of a migration, saying how. */
    public Uni<Void> resolveAll(UUID migrationId, String resolution, Instant now) {
        return Discrepancy.update("resolvedAt = ?1, resolution = ?2 where migrationId = ?3 and resolvedAt is null",
                now, resolution, migrationId).replaceWithVoid();
    }
}
