package dev.ferry.messaging;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.jboss.logging.Logger;

/** Deletes published outbox rows and consumed-event ids once they are past their retention, a bounded slice at a time. */
@ApplicationScoped
public class MessagingRetention {
    private static final Logger LOG = Logger.getLogger(MessagingRetention.class);

    @Inject
    Pool pool;

    @Inject
    MessagingConfig config;

    @Scheduled(every = "${ferry.messaging.prune-interval:10m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        return prune(config.publishedRetention(), config.consumedRetention())
                .onFailure().invoke(e -> LOG.warnf("pruning outbox and consumed events failed; next time: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Long> prune(Duration published, Duration consumed) {
        return prune(pool, published, consumed, config.pruneBatch());
    }

    /** Deletes what is past its retention, {@code batch} rows per statement; returns the rows deleted. */
    static Uni<Long> prune(Pool pool, Duration published, Duration consumed, int batch) {
        return slices(pool, "DELETE FROM outbox_message WHERE id IN (SELECT id FROM outbox_message WHERE published_at < now() - $1 "
                        + "* interval '1 millisecond' LIMIT $2)", published, batch, 0)
                .flatMap(a -> slices(pool, "DELETE FROM consumed_event WHERE event_id IN (SELECT event_id FROM consumed_event "
                        + "WHERE consumed_at < now() - $1 * interval '1 millisecond' LIMIT $2)", consumed, batch, 0).map(b -> a + b));
    }

    private static Uni<Long> slices(Pool pool, String sql, Duration retention, int batch, long sofar) {
        return pool.preparedQuery(sql).execute(Tuple.of(retention.toMillis(), batch))
                .flatMap(rows -> rows.rowCount() < batch ? Uni.createFrom().item(sofar + rows.rowCount())
                        : slices(pool, sql, retention, batch, sofar + rows.rowCount()));
    }
}
