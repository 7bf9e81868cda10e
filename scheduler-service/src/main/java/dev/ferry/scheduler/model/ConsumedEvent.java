package dev.ferry.scheduler.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.time.Instant;

/** An event id already applied; written in the same transaction as the event's effect. */
@Entity
public class ConsumedEvent extends PanacheEntityBase {
    @Id
    public String eventId;
    public Instant consumedAt;

    public static ConsumedEvent of(String eventId) {
        ConsumedEvent e = new ConsumedEvent();
        e.eventId = eventId;
        e.consumedAt = Instant.now();
        return e;
    }
}
