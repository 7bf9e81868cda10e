package dev.ferry.inventory.outbox;

import dev.ferry.inventory.model.OutboxMessage;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes inventory-events outbox rows in id order, each marked published only after Kafka's ack. A
 * send that fails or exceeds its bound stops the pass, so that order holds; the next tick retries.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 100;

    @Inject
    @Channel("inventory-events")
    MutinyEmitter<String> emitter;

    /** Upper bound on one send, so that a dead broker never stalls the relay. */
    @ConfigProperty(name = "ferry.inventory.outbox-send-timeout", defaultValue = "PT5S")
    Duration sendTimeout;

    @Scheduled(every = "${ferry.inventory.outbox-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> publishPending() {
        return Panache.withTransaction(() -> OutboxMessage.<OutboxMessage>find("publishedAt is null order by id")
                        .withLock(LockModeType.PESSIMISTIC_WRITE).page(0, BATCH).list()
                        .flatMap(this::publishInOrder))
                .onFailure().invoke(e -> LOG.warn("outbox relay pass failed; retrying on the next tick", e))
                .onFailure().recoverWithNull()
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
        Message<String> record = Message.of(m.payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(m.recordKey).build());
        m.attempts++;
        return emitter.sendMessage(record)
                .ifNoItem().after(sendTimeout).fail()
                .map(ok -> {
                    m.publishedAt = Instant.now();
                    return true;
                })
                .onFailure().recoverWithItem(e -> {
                    m.lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.warnf("outbox message %d not published (attempt %d): %s", m.id, m.attempts, m.lastError);
                    return false;
                });
    }
}
