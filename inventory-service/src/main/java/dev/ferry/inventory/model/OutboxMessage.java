package dev.ferry.inventory.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;

/** A Kafka record written in the same transaction as the state change that caused it. */
@Entity
public class OutboxMessage extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String topic;
    public String recordKey;
    public String payload;
    public Instant createdAt;
    public Instant publishedAt;
    public int attempts;
    public String lastError;

    public static OutboxMessage of(String topic, String key, String payload) {
        OutboxMessage m = new OutboxMessage();
        m.topic = topic;
        m.recordKey = key;
        m.payload = payload;
        m.createdAt = Instant.now();
        return m;
    }
}
