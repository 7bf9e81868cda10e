package dev.ferry.inventory.model;

import dev.ferry.inventory.api.ReservationState;

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
public class Reservation {
    /** The end reason of a hold the sweeper released because its migration never reported back in time. */
    public static final String EXPIRED = "expired";

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
