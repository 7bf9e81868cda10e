package dev.ferry.messaging;

import dev.ferry.support.Transience;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Applies a consumed record's effect once per event id: the {@code consumed_event} row and the effect commit in one
 * transaction, or neither does. Each service keeps only its effects.
 *
 * <p>A failure that will pass (the database is away, a lock conflict: {@link Transience}) is retried with a growing
 * wait until it applies, holding the partition so that order is kept; an outage is waited out, never dead-lettered.
 * Any other failure reaches the channel's failure strategy, the dead-letter topic.
 *
 * <p>Consumed-event rows are pruned after {@code ferry.messaging.consumed-retention}: where a replay older than that
 * could do harm, the effect must also be idempotent by state (attempt, sequence, a reservation's state).
 */
@ApplicationScoped
public class IdempotentConsumer {
    private static final Logger LOG = Logger.getLogger(IdempotentConsumer.class);

    @Inject
    MessagingConfig config;

    /** @return true when the effect was applied now, false when this event id had been applied before */
    public Uni<Boolean> applyOnce(String eventId, Supplier<Uni<Void>> effect) {
        return applyOnce(eventId, () -> Uni.createFrom().voidItem(), x -> effect.get());
    }

    /**
     * Like {@link #applyOnce(String, Supplier)}, with a preparation outside the transaction: what needs another
     * service (a REST call) is asked first, so that no call waits while the transaction holds its locks. Both are
     * retried while their failures pass.
     */
    public <T> Uni<Boolean> applyOnce(String eventId, Supplier<Uni<T>> prepare, java.util.function.Function<T, Uni<Void>> effect) {
        Context context = Vertx.currentContext();
        return retried(eventId, Uni.createFrom().deferred(() -> onContext(context, prepare)))
                .flatMap(prepared -> retried(eventId, Uni.createFrom().deferred(() -> onContext(context, () -> Panache.withTransaction(
                        () -> claim(eventId).flatMap(first -> first ? effect.apply(prepared).replaceWith(true)
                                : Uni.createFrom().item(false)))))));
    }

    /**
     * A batch of records in one transaction: the {@code consumed_event} rows of all of them and the effects of those not
     * applied before commit together, or nothing does; a failure that will pass retries the whole batch. One
     * transaction and one dedup statement per batch instead of per record is what lets a consumer keep up with
     * thousands of events a second.
     *
     * @param effect given the ids being applied for the first time (an id twice in the batch counts once, the first
     *               time), applies them in the batch's order
     * @return the ids applied now
     */
    public Uni<java.util.Set<String>> applyBatchOnce(java.util.List<String> eventIds,
            java.util.function.Function<java.util.Set<String>, Uni<Void>> effect) {
        if (eventIds.isEmpty()) {
            return Uni.createFrom().item(java.util.Set.of());
        }
        Context context = Vertx.currentContext();
        String what = eventIds.size() + " events from " + eventIds.get(0);
        return retried(what, Uni.createFrom().deferred(() -> onContext(context, () -> Panache.withTransaction(
                () -> claimAll(eventIds).flatMap(first -> effect.apply(first).replaceWith(first))))));
    }

    private <T> Uni<T> retried(String eventId, Uni<T> attempt) {
        return attempt
                .onFailure(Transience::isTransient).invoke(e -> LOG.warnf("event %s not applied yet, retrying: %s", eventId,
                        e.getMessage()))
                .onFailure(Transience::isTransient).retry()
                .withBackOff(config.retryInitialBackoff(), config.retryMaxBackoff()).indefinitely();
    }

    private static Uni<Boolean> claim(String eventId) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(
                        "INSERT INTO consumed_event (event_id, consumed_at) VALUES (:id, now()) ON CONFLICT DO NOTHING")
                .setParameter("id", eventId).executeUpdate()).map(rows -> rows == 1);
    }

    /** One statement for the batch: the ids the table did not hold yet come back, each once. */
    private static Uni<java.util.Set<String>> claimAll(java.util.List<String> eventIds) {
        java.util.List<String> distinct = eventIds.stream().distinct().toList();
        StringBuilder sql = new StringBuilder("INSERT INTO consumed_event (event_id, consumed_at) VALUES ");
        for (int i = 0; i < distinct.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?").append(i + 1).append(", now())");
        }
        sql.append(" ON CONFLICT DO NOTHING RETURNING event_id");
        return Panache.getSession().flatMap(s -> {
            var q = s.createNativeQuery(sql.toString(), String.class);
            for (int i = 0; i < distinct.size(); i++) {
                q.setParameter(i + 1, distinct.get(i));
            }
            return q.getResultList();
        }).map(java.util.HashSet::new);
    }

    /** A retry resumes on a timer thread: the database session needs the consumer's Vert.x context back. */
    private static <T> Uni<T> onContext(Context context, Supplier<Uni<T>> work) {
        // deferred: an effect that throws instead of returning a failed Uni still fails this attempt
        Uni<T> attempt = Uni.createFrom().deferred(work::get);
        if (context == null || Vertx.currentContext() == context) {
            return attempt;
        }
        return Uni.createFrom().emitter(e -> context.runOnContext(x -> attempt.subscribe().with(e::complete, e::fail)));
    }
}
