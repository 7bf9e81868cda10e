package dev.ferry.inventory;

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
 * Keeps inventory's history from growing without bound: reservations that ended longer than {@code history-retention}
 * ago and fleet changes older than {@code audit-retention}. An active hold is never touched, however old. Bounded
 * slices that skip rows another transaction holds, so reservations and changes never wait for it.
 */
@ApplicationScoped
public class InventoryRetention {
    private static final Logger LOG = Logger.getLogger(InventoryRetention.class);

    static final String RESERVATIONS = "DELETE FROM reservation WHERE id IN (SELECT id FROM reservation"
            + " WHERE state <> 'ACTIVE' AND ended_at < now() - $1 * interval '1 millisecond' LIMIT $2 FOR UPDATE SKIP LOCKED)";

    static final String FLEET_CHANGES = "DELETE FROM fleet_change WHERE id IN (SELECT id FROM fleet_change"
            + " WHERE changed_at < now() - $1 * interval '1 millisecond' LIMIT $2 FOR UPDATE SKIP LOCKED)";

    @Inject
    Pool pool;

    @Inject
    InventoryConfig config;

    @Inject
    MessagingConfig messaging;

    void refuseAHistoryShorterThanReplays(@Observes StartupEvent start) {
        RetentionSettings.require("ferry.inventory.history-retention", config.historyRetention(),
                "ferry.inventory.audit-retention", config.auditRetention(), messaging.consumedRetention());
    }

    @Scheduled(every = "${ferry.messaging.prune-interval:10m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        return SlicedDelete.pass(prune(config.historyRetention(), config.auditRetention(), messaging.pruneBatch()), LOG,
                "ended reservations (past " + config.historyRetention() + ") and fleet changes (past " + config.auditRetention() + ")");
    }

    /** Deletes what is past its retention, {@code batch} rows per statement; returns the rows deleted. */
    public Uni<Long> prune(Duration history, Duration audit, int batch) {
        return SlicedDelete.run(pool, RESERVATIONS, history, batch)
                .flatMap(r -> SlicedDelete.run(pool, FLEET_CHANGES, audit, batch).map(f -> r + f));
    }
}
