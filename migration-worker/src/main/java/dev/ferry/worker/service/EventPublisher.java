package dev.ferry.worker.service;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.events.DirtyPageRound;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationOutcome;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** Publishes one migration's events in order, keyed by migration id, waiting for Kafka's ack with a bound. */
@ApplicationScoped
public class EventPublisher {
    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    @Inject
    @Channel("migration-events")
    MutinyEmitter<String> emitter;

    @Inject
    WorkerConfig config;

    private static final AttributeKey<Long> SEQUENCE = AttributeKey.longKey("ferry.event.sequence");

    /** The event stream of one attempt of one migration: numbers its events 1, 2, 3... */
    public final class Stream {
        private final MigrationCommand command;
        private final String workerId;
        private final AtomicLong sequence = new AtomicLong();
        private boolean ended;
        /** The run's trace, taken when the stream is made: heartbeats go out from another thread in it too. */
        private final Context trace = Context.current();
        /** Stops waiting for a broker that is away once the worker no longer holds the migration. */
        private volatile java.util.function.BooleanSupplier giveUp = () -> false;

        public void giveUpWhen(java.util.function.BooleanSupplier condition) {
            this.giveUp = condition;
        }

        Stream(MigrationCommand command, String workerId) {
            this.command = command;
            this.workerId = workerId;
        }

        public void started() {
            publish(EventType.MIGRATION_STARTED, null, null);
        }

        public void measured(DirtyMeasurement measurement) {
            publish(EventType.DIRTY_RATE_MEASURED, null, null, measurement);
        }

        public void round(DirtyPageRound round) {
            publish(EventType.ROUND_COMPLETED, round, null);
        }

        public void outcome(EventType type, MigrationOutcome outcome) {
            publish(type, null, outcome);
        }

        /** Says the migration still runs; nothing after the outcome. */
        public void heartbeat() {
            publish(EventType.HEARTBEAT, null, null);
        }

        private void publish(EventType type, DirtyPageRound round, MigrationOutcome outcome) {
            publish(type, round, outcome, null);
        }

        /** One at a time: a heartbeat from another thread must not overtake a round in the sequence. */
        private synchronized void publish(EventType type, DirtyPageRound round, MigrationOutcome outcome,
                DirtyMeasurement measurement) {
            if (ended) {
                if (type == EventType.HEARTBEAT) {
                    return;
                }
                throw new IllegalStateException(type + " after the outcome of migration " + command.migrationId());
            }
            ended = type.isOutcome();
            MigrationEvent event = new MigrationEvent(UUID.randomUUID().toString(), type, command.migrationId(),
                    command.attempt(), sequence.incrementAndGet(), Instant.now(), command.vmId(), command.sourceHostId(),
                    command.targetHostId(), command.reservationId(), workerId, round, outcome, measurement);
            if (type != EventType.HEARTBEAT) {
                // the rounds' timeline; heartbeats would crowd it out (a span keeps 128 events)
                Span.fromContext(trace).addEvent(type.name(), Attributes.of(SEQUENCE, event.sequence()));
            }
            send(event, trace, giveUp);
        }
    }

    public Stream streamFor(MigrationCommand command, String workerId) {
        return new Stream(command, workerId);
    }

    /**
     * Blocks the calling worker thread (never the event loop) until Kafka acknowledged: a broker away is waited out for
     * {@code publishPatience}, trying again every {@code publishTimeout}, unless {@code giveUp} says the worker no longer
     * holds the migration (then nobody needs the event).
     */
    void send(MigrationEvent event, Context trace, java.util.function.BooleanSupplier giveUp) {
        String json = EventCodec.toJson(event);
        long until = System.nanoTime() + config.publishPatience().toNanos();
        RuntimeException last = null;
        for (int attempt = 1; ; attempt++) {
            try {
                emitter.sendMessage(Message.of(json).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withKey(event.migrationId().toString()).build()).addMetadata(TracingMetadata.withCurrent(trace)))
                        .await().atMost(config.publishTimeout());
                return;
            } catch (RuntimeException e) {
                last = e;
                LOG.warnf("publishing %s of migration %s failed (try %d, waiting up to %d s in all): %s", event.type(),
                        event.migrationId(), attempt, config.publishPatience().toSeconds(), e.getMessage());
            }
            if (System.nanoTime() - until > 0 || giveUp.getAsBoolean()) {
                break;
            }
            try {
                Thread.sleep(500); // a refused send fails at once: do not spin on a broker that is away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new EventNotPublished("could not publish " + event.type() + " of migration " + event.migrationId(), last);
    }

    /** Kafka would not take an event within the bounds: the migration cannot report, so it must not go on. */
    public static class EventNotPublished extends RuntimeException {
        EventNotPublished(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
