package dev.ferry.inventory.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.UUID;

/** CPU and memory held on a destination host for one migration. */
@Entity
public class Reservation extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public UUID migrationId;
    public Long vmId;
    public Long sourceHostId;
    public Long hostId;
    public long memoryBytes;
    public int vcpus;
    @Enumerated(EnumType.STRING)
    public ReservationState state;
    public Instant createdAt;
    public Instant expiresAt;
    public Instant endedAt;
    public String endReason;

    public void end(ReservationState to, String reason) {
        state = to;
        endedAt = Instant.now();
        endReason = reason;
    }
}
