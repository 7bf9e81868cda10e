package dev.ferry.messaging;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
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
        return SlicedDelete.pass(prune(config.publishedRetention(), config.consumedRetention()), LOG,
                "published outbox messages and consumed-event ids");
    }

    private Uni<Long> prune(Duration published, Duration consumed) {
        return prune(pool, published, consumed, config.pruneBatch());
    }

    /** Deletes what is past its retention, {@code batch} rows per statement; returns the rows deleted. */
    static Uni<Long> prune(Pool pool, Duration published, Duration consumed, int batch) {
        return SlicedDelete.run(pool, "DELETE FROM outbox_message WHERE id IN (SELECT id FROM outbox_message WHERE published_at < now() - $1 "
                        + "* interval '1 millisecond' LIMIT $2)", published, batch)
                .flatMap(a -> SlicedDelete.run(pool, "DELETE FROM consumed_event WHERE event_id IN (SELECT event_id FROM consumed_event "
                        + "WHERE consumed_at < now() - $1 * interval '1 millisecond' LIMIT $2)", consumed, batch).map(b -> a + b));
    }
}
