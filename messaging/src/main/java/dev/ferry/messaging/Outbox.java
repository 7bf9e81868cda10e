package dev.ferry.messaging;

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

    /** Must run inside a transaction ({@code Panache.withTransaction} or {@code @WithTransaction}). */
    public Uni<Void> write(String topic, String key, String payload) {
        if (!allowed().contains(topic)) {
            return Uni.createFrom().failure(new IllegalArgumentException("topic " + topic + " is not an outbox topic of this "
                    + "service; declare it in ferry.messaging.outbox-topics (" + allowed() + ")"));
        }
        // outbox_write (in the messaging SQL) numbers the rows of a key in commit order
        return Panache.getSession().flatMap(session -> session.createNativeQuery("SELECT outbox_write(:topic, :key, :payload)")
                .setParameter("topic", topic).setParameter("key", key).setParameter("payload", payload)
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
