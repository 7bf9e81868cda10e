package dev.ferry.scheduler.service;

import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an on-call engineer graphs and alerts on (docs/DEPLOY.md, "Monitoring"). Counters and histograms are
 * recorded once what they count has committed: a decision or a round when its event was applied the first time, a
 * takeover when the watchdog's transaction for it committed. Each replica counts what it applied; sum them. The gauges of migrations
 * by phase are counted from the table, so every replica shows the fleet's numbers; take the max.
 */
@ApplicationScoped
public class MigrationMetrics {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(MigrationMetrics.class);
    /** Phases a migration is in while it waits or moves: a gauge each. Ended migrations are counted as decided. */
    static final List<MigrationPhase> OPEN = List.of(MigrationPhase.QUEUED, MigrationPhase.SCHEDULED, MigrationPhase.RUNNING,
            MigrationPhase.OUTCOME_UNKNOWN);

    @Inject
    MeterRegistry registry;

    private final Map<MigrationPhase, AtomicLong> byPhase = new EnumMap<>(MigrationPhase.class);
    /**
     * Seconds since the quietest SCHEDULED or RUNNING migration last changed (the watchdog acts on those); -1 while
     * the database is away, 0 when none.
     */
    private final AtomicLong quietestUnderWay = new AtomicLong(-1);
    /** Overdue migrations the watchdog's last pass could not act on, for a reason that does not pass by itself. */
    private final AtomicLong watchdogCannotAct = new AtomicLong();
    private Timer downtime;
    private Timer totalTime;
    private DistributionSummary predictionError;

    void register(@Observes StartupEvent start) {
        for (MigrationPhase p : OPEN) {
            byPhase.put(p, registry.gauge("ferry_migrations", io.micrometer.core.instrument.Tags.of("phase", p.name()),
                    new AtomicLong(-1)));
        }
        registry.gauge("ferry_migration_quietest_under_way_seconds", quietestUnderWay);
        registry.gauge("ferry_watchdog_cannot_act_migrations", watchdogCannotAct);
        downtime = Timer.builder("ferry_migration_downtime").description("Pause of each successful migration")
                .serviceLevelObjectives(ms(10), ms(50), ms(100), ms(300), ms(1000), ms(3000), ms(10_000))
                .register(registry);
        totalTime = Timer.builder("ferry_migration_total_time").description("Start to switch-over of each successful migration")
                .serviceLevelObjectives(ms(10_000), ms(30_000), ms(60_000), ms(120_000), ms(300_000), ms(600_000), ms(1_800_000))
                .register(registry);
        predictionError = DistributionSummary.builder("ferry_prediction_error_ratio")
                .description("|predicted - actual| / actual total time of each successful migration with a forecast")
                .serviceLevelObjectives(0.05, 0.1, 0.2, 0.5, 1.0).register(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /** Counts migrations by open phase, and how long the quietest one under way has been silent. */
    @Scheduled(every = "${ferry.scheduler.gauge-interval:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> countOpen() {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                                "SELECT phase, count(*), coalesce(extract(epoch FROM now() - min(updated_at)), 0) FROM migration"
                                        + " WHERE phase IN ('QUEUED', 'SCHEDULED', 'RUNNING', 'OUTCOME_UNKNOWN') GROUP BY phase",
                                Object[].class)
                        .getResultList()))
                .invoke(rows -> {
                    Map<MigrationPhase, Long> counts = new EnumMap<>(MigrationPhase.class);
                    long quietest = 0;
                    for (Object[] r : rows) {
                        MigrationPhase p = MigrationPhase.valueOf((String) r[0]);
                        counts.put(p, ((Number) r[1]).longValue());
                        // the watchdog's: an unknown outcome waits for an operator (FerryDiscrepancyOpen says so)
                        if (p == MigrationPhase.SCHEDULED || p == MigrationPhase.RUNNING) {
                            quietest = Math.max(quietest, ((Number) r[2]).longValue());
                        }
                    }
                    byPhase.forEach((p, gauge) -> gauge.set(counts.getOrDefault(p, 0L)));
                    quietestUnderWay.set(quietest);
                })
                .onFailure().invoke(e -> {
                    byPhase.values().forEach(g -> g.set(-1));
                    quietestUnderWay.set(-1);
                })
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * An event changed its migration, applied for the first time: a worker's round, or a decision this scheduler made
     * (read back with the migration's forecast). A failure to count is logged, never passed on to the consumer.
     */
    public Uni<Void> applied(MigrationEvent event) {
        if (event.type() == EventType.ROUND_COMPLETED && event.round() != null) {
            registry.counter("ferry_migration_rounds").increment();
            return Uni.createFrom().voidItem();
        }
        if (!MigrationEvent.SCHEDULER.equals(event.workerId()) || !(event.type().isOutcome() || event.type() == EventType.OUTCOME_UNKNOWN)) {
            return Uni.createFrom().voidItem();
        }
        return Panache.withSession(() -> Migration.<Migration>findById(event.migrationId()))
                .invoke(m -> decided(event, m == null ? null : m.predictedTotalTimeMillis))
                .onFailure().invoke(e -> LOG.debugf("decision on %s not counted: %s", event.migrationId(), e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * The scheduler's decision on a migration was applied (success, failure, cancel or unknown).
     *
     * @param predictedTotalMillis the forecast's total time, or null when there was none
     */
    public void decided(MigrationEvent decision, Long predictedTotalMillis) {
        registry.counter("ferry_migrations_decided", "outcome", outcomeOf(decision.type())).increment();
        MigrationOutcome o = decision.outcome();
        if (o == null || !decision.type().isOutcome()) {
            return; // an unknown outcome is decided again once known: its bytes count then, once
        }
        registry.counter("ferry_migration_bytes_sent").increment(o.totalBytesSent());
        if (decision.type() == EventType.MIGRATION_SUCCEEDED && o.totalTimeMillis() > 0) {
            downtime.record(Duration.ofMillis(o.downtimeMillis()));
            totalTime.record(Duration.ofMillis(o.totalTimeMillis()));
            if (predictedTotalMillis != null) {
                predictionError.record(Math.abs(predictedTotalMillis - o.totalTimeMillis()) / (double) o.totalTimeMillis());
            }
        }
    }

    /** Migrations taken over from a worker that died (retried as a new attempt, or adopted by another worker). */
    public void tookOver(int migrations) {
        if (migrations > 0) {
            registry.counter("ferry_migration_takeovers").increment(migrations);
        }
    }

    /**
     * How many overdue migrations the watchdog could not act on in its last pass (the database refused the change for
     * a reason that does not pass by itself; its log says which and why). A QUEUED one stuck this way is seen by no
     * other alert: the quietest-under-way gauge covers SCHEDULED and RUNNING only.
     */
    public void cannotActOn(int migrations) {
        watchdogCannotAct.set(migrations);
    }

    static String outcomeOf(EventType decision) {
        return switch (decision) {
            case MIGRATION_SUCCEEDED -> "SUCCEEDED";
            case MIGRATION_FAILED -> "FAILED";
            case MIGRATION_CANCELLED -> "CANCELLED";
            case OUTCOME_UNKNOWN -> "OUTCOME_UNKNOWN";
            default -> throw new IllegalArgumentException("not a decision: " + decision);
        };
    }
}
