package dev.ferry.messaging;

import dev.ferry.support.tracing.TraceParents;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Writes a Kafka record as an outbox row in the caller's transaction, so that the record exists exactly when the
 * change that caused it committed. The relay publishes it after the commit (the row's insert wakes it).
 */
@ApplicationScoped
public class Outbox {

    @Inject
    MessagingConfig config;

    @ConfigProperty(name = "mp.messaging.outgoing.outbox.topic")
    String defaultTopic;

    private Set<String> topics;

    /**
     * Must run inside a transaction ({@code Panache.withTransaction} or {@code @WithTransaction}). The record carries
     * the trace of the span current here, if any.
     */
    public Uni<Void> write(String topic, String key, String payload) {
        return write(topic, key, payload, TraceParents.current());
    }

    /**
     * As {@link #write(String, String, String)}, in the trace {@code traceParent} names (null: none): for work that
     * belongs to a trace begun elsewhere, such as a migration's attempt.
     */
    public Uni<Void> write(String topic, String key, String payload, String traceParent) {
        if (!allowed().contains(topic)) {
            return Uni.createFrom().failure(new IllegalArgumentException("topic " + topic + " is not an outbox topic of this "
                    + "service; declare it in ferry.messaging.outbox-topics (" + allowed() + ")"));
        }
        // outbox_write (in the messaging SQL) numbers the rows of a key in commit order
        return Panache.getSession().flatMap(session -> session.createNativeQuery("SELECT outbox_write(:topic, :key, :payload, :trace)")
                .setParameter("topic", topic).setParameter("key", key).setParameter("payload", payload)
                .setParameter("trace", traceParent)
                .getSingleResult()).replaceWithVoid();
    }

    private Set<String> allowed() {
        if (topics == null) {
            Set<String> all = new HashSet<>(config.outboxTopics());
            all.add(defaultTopic);
            topics = Set.copyOf(all);
        }
        return topics;
    }
}
