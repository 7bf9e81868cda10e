package dev.ferry.scheduler.outbox;

import dev.ferry.events.Topics;
import dev.ferry.scheduler.model.OutboxMessage;
import dev.ferry.scheduler.service.SchedulerConfig;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import io.smallrye.common.vertx.VertxContext;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import io.smallrye.reactive.messaging.MutinyEmitter;

/**
 * Publishes outbox rows in id order. A row is marked published only after Kafka acknowledged it; a
 * send that fails or exceeds its bound stops the batch (so that order holds) and is retried on the next
 * tick. At-least-once: consumers deduplicate by command or event id.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 100;

    @Inject
    @Channel("migration-commands")
    MutinyEmitter<String> commands;

    @Inject
    @Channel("scheduler-migration-events")
    MutinyEmitter<String> events;

    @Inject
    SchedulerConfig config;

    @Inject
    Vertx vertx;

    private final AtomicBoolean busy = new AtomicBoolean();

    /**
     * Publishes right after a commit instead of waiting for the next tick; does not wait for Kafka, so a
     * dead broker never slows the request that called it. Skipped while a pass runs: the tick catches up.
     */
    public void kick() {
        // A context of its own: the caller's context carries the caller's database session.
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(x -> publishPending().subscribe().with(ok -> { }, e -> LOG.debug("outbox kick failed", e)));
    }

    @Scheduled(every = "${ferry.scheduler.outbox-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> publishPending() {
        if (!busy.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return Panache.withTransaction(() -> OutboxMessage.<OutboxMessage>find("publishedAt is null order by id")
                        .withLock(LockModeType.PESSIMISTIC_WRITE).page(0, BATCH).list()
                        .flatMap(this::publishInOrder))
                .onFailure().invoke(e -> LOG.warn("outbox relay pass failed; retrying on the next tick", e))
                .onFailure().recoverWithNull()
                .eventually(() -> busy.set(false))
                .replaceWithVoid();
    }

    private Uni<Void> publishInOrder(List<OutboxMessage> batch) {
        Uni<Boolean> chain = Uni.createFrom().item(true);
        for (OutboxMessage m : batch) {
            chain = chain.flatMap(allSentSoFar -> allSentSoFar ? send(m) : Uni.createFrom().item(false));
        }
        return chain.replaceWithVoid();
    }

    private Uni<Boolean> send(OutboxMessage m) {
        MutinyEmitter<String> emitter = Topics.MIGRATION_COMMANDS.equals(m.topic) ? commands : events;
        Message<String> record = Message.of(m.payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(m.recordKey).withTopic(m.topic).build());
        return emitter.sendMessage(record)
                .ifNoItem().after(config.sendTimeout()).fail()
                .map(ok -> {
                    m.publishedAt = Instant.now();
                    m.attempts++;
                    return true;
                })
                .onFailure().recoverWithItem(e -> {
                    m.attempts++;
                    m.lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.warnf("outbox message %d to %s not published (attempt %d): %s", m.id, m.topic, m.attempts, m.lastError);
                    return false;
                });
    }
}
