package dev.ferry.scheduler.service;

import dev.ferry.messaging.MessagingConfig;
import dev.ferry.messaging.RetentionSettings;
import dev.ferry.messaging.SlicedDelete;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Keeps the scheduler's history from growing without bound: migrations that ended longer than
 * {@code history-retention} ago go with their rounds, transitions, discrepancies and audit trail, then the evacuations
 * none of whose migrations is left and host discrepancies resolved that long ago, then audit entries older than
 * {@code audit-retention}. Nothing under way, no open discrepancy and no trail one rests on is touched. Each delete
 * takes a bounded slice and skips rows another transaction holds, so ingest never waits for it; two replicas running it
 * at once only share the work. Before them, ended migrations without an end ({@link #STAMP}) get one, in one statement
 * that touches only ended rows, which no event updates.
 */
@ApplicationScoped
public class HistoryRetention {
    private static final Logger LOG = Logger.getLogger(HistoryRetention.class);
    private static final String ENDED = "('SUCCEEDED', 'FAILED', 'CANCELLED')";
    /** A migration takes its rounds, transitions and audit entries along, a few dozen rows each. */
    public static final int ROWS_PER_MIGRATION = 50;

    static final String MIGRATIONS = "WITH doomed AS (SELECT m.id FROM migration m WHERE m.phase IN " + ENDED
            + " AND m.ended_at < now() - $1 * interval '1 millisecond'"
            + " AND NOT EXISTS (SELECT 1 FROM discrepancy d WHERE d.migration_id = m.id AND d.resolved_at IS NULL)"
            + " ORDER BY m.ended_at LIMIT $2 FOR UPDATE OF m SKIP LOCKED),"
            + " rounds AS (DELETE FROM migration_round WHERE migration_id IN (SELECT id FROM doomed)),"
            + " transitions AS (DELETE FROM phase_transition WHERE migration_id IN (SELECT id FROM doomed)),"
            + " discrepancies AS (DELETE FROM discrepancy WHERE migration_id IN (SELECT id FROM doomed)),"
            + " trail AS (DELETE FROM audit_entry WHERE migration_id IN (SELECT id FROM doomed))"
            // the references are checked at the end of the statement, once the CTEs' deletes are done
            + " DELETE FROM migration WHERE id IN (SELECT id FROM doomed)";

    /**
     * Migrations that ended on a replica of the version before V22 (during a rolling upgrade), which did not set
     * ended_at: the last change of an ended migration is its end.
     */
    static final String STAMP = "UPDATE migration SET ended_at = updated_at WHERE ended_at IS NULL AND phase IN " + ENDED;

    static final String EVACUATIONS = "DELETE FROM evacuation WHERE id IN (SELECT e.id FROM evacuation e"
            + " WHERE coalesce(e.finished_at, e.cancelled_at) < now() - $1 * interval '1 millisecond'"
            + " AND NOT EXISTS (SELECT 1 FROM migration m WHERE m.evacuation_id = e.id)"
            + " LIMIT $2 FOR UPDATE OF e SKIP LOCKED)"; // its ETA samples go with it (ON DELETE CASCADE)

    static final String AUDIT = "DELETE FROM audit_entry WHERE id IN (SELECT a.id FROM audit_entry a"
            + " WHERE a.recorded_at < now() - $1 * interval '1 millisecond'"
            + " AND NOT EXISTS (SELECT 1 FROM migration m WHERE m.id = a.migration_id AND m.phase NOT IN " + ENDED + ")"
            // the trail an open discrepancy rests on stays with it
            + " AND NOT EXISTS (SELECT 1 FROM discrepancy d WHERE d.migration_id = a.migration_id AND d.resolved_at IS NULL)"
            + " LIMIT $2 FOR UPDATE OF a SKIP LOCKED)";

    /** What a host's report contradicted (no migration of its own), once resolved that long ago. */
    static final String HOST_DISCREPANCIES = "DELETE FROM discrepancy WHERE id IN (SELECT id FROM discrepancy"
            + " WHERE migration_id IS NULL AND resolved_at < now() - $1 * interval '1 millisecond'"
            + " LIMIT $2 FOR UPDATE SKIP LOCKED)";

    @Inject
    Pool pool;

    @Inject
    SchedulerConfig config;

    @Inject
    MessagingConfig messaging;

    void refuseAHistoryShorterThanReplays(@Observes StartupEvent start) {
        RetentionSettings.require("ferry.scheduler.history-retention", config.historyRetention(),
                "ferry.scheduler.audit-retention", config.auditRetention(), messaging.consumedRetention());
    }

    @Scheduled(every = "${ferry.messaging.prune-interval:10m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        return SlicedDelete.pass(prune(config.historyRetention(), config.auditRetention(), messaging.pruneBatch()), LOG,
                "ended migrations (past " + config.historyRetention() + ") and audit entries (past " + config.auditRetention() + ")");
    }

    /**
     * Stamps ended migrations that lack ended_at, then deletes what is past its retention, {@code batch} audit entries (or {@code batch / 50} migrations with theirs)
     * per statement; returns the migrations, evacuations, host discrepancies and lone audit entries deleted.
     */
    public Uni<Long> prune(Duration history, Duration audit, int batch) {
        return pool.query(STAMP).execute()
                .flatMap(x -> SlicedDelete.run(pool, MIGRATIONS, history, Math.max(1, batch / ROWS_PER_MIGRATION)))
                .flatMap(m -> SlicedDelete.run(pool, EVACUATIONS, history, batch).map(e -> m + e))
                .flatMap(me -> SlicedDelete.run(pool, HOST_DISCREPANCIES, history, batch).map(h -> me + h))
                .flatMap(me -> SlicedDelete.run(pool, AUDIT, audit, batch).map(a -> me + a));
    }
}
