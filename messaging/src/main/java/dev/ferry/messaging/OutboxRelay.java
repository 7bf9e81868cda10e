package dev.ferry.messaging;

import dev.ferry.support.tracing.TraceParents;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The service's outbox relay: an {@link OutboxPublisher} on the service's database and its {@code outbox} channel,
 * woken by the database after every commit that wrote outbox rows ({@link OutboxWakeUp}) and polling as a fallback.
 * Its backlog and the age of its oldest row are metrics ({@code ferry_outbox_backlog},
 * {@code ferry_outbox_oldest_age_seconds}); the holder gives its lease up on shutdown.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @Inject
    Pool pool;

    @Inject
    @Channel("outbox")
    MutinyEmitter<String> outbox;

    @Inject
    MessagingConfig config;

    @Inject
    MeterRegistry registry;

    private OutboxPublisher publisher;
    private volatile boolean stopping;

    void onStart(@Observes StartupEvent event) {
        publisher = new OutboxPublisher(pool, this::send,
                new OutboxPublisher.Settings(config.batchSize(), config.sendTimeout(), config.leaseTtl()), DatabaseLease.uniqueHolder());
        Gauge.builder("ferry.outbox.backlog", publisher, OutboxPublisher::backlog)
                .description("Outbox rows not yet published").register(registry);
        Gauge.builder("ferry.outbox.oldest.age.seconds", publisher, p -> p.oldestAgeMillis() / 1000.0)
                .description("Age of the oldest unpublished outbox row").register(registry);
        Gauge.builder("ferry.outbox.published", publisher, OutboxPublisher::publishedCount)
                .description("Rows this replica published").register(registry);
        Gauge.builder("ferry.outbox.send.failures", publisher, OutboxPublisher::failureCount)
                .description("Sends that failed or timed out (retried)").register(registry);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (publisher != null) {
            try {
                publisher.releaseLease().await().atMost(Duration.ofSeconds(2));
            } catch (RuntimeException databaseAway) {
                // the lease then expires by itself; shutting down must not fail for it
                LOG.debugf("outbox lease not released at shutdown: %s", databaseAway.getMessage());
            }
        }
    }

    /**
     * The connector's producer span goes under the span that wrote the row (tracing only what is current here would
     * start every relayed record a trace of its own), and its context goes out as the record's traceparent header.
     */
    private Uni<Void> send(String topic, String key, String payload, String traceParent) {
        Message<String> message = Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withTopic(topic).build());
        Context trace = TraceParents.context(traceParent);
        return outbox.sendMessage(trace == null ? message : message.addMetadata(TracingMetadata.withCurrent(trace)));
    }

    /** Publishes now; never waits for Kafka, so a dead broker never slows the caller. */
    public void kick() {
        publish().subscribe().with(x -> { }, e -> { });
    }

    /**
     * Not before the application runs: a tick during start-up would make the bean before the messaging has connected
     * the {@code outbox} channel, and fail its injection (logged as an error at every start).
     */
    @Scheduled(every = "${ferry.messaging.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> publish() {
        if (publisher == null || stopping) {
            return Uni.createFrom().voidItem();
        }
        return publisher.drain()
                .onFailure().invoke(e -> LOG.warnf("outbox relay pass failed; retrying on the next wake-up: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** The publisher, for tests that look at its counters. */
    public OutboxPublisher publisher() {
        return publisher;
    }
}
