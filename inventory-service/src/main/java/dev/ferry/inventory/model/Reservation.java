package dev.ferry.inventory.model;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
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
@Schema(example = "{\"id\": 7, \"migrationId\": \"7d8e2f5c-2f61-4a7e-9a63-2c1a9d7c6a10\", \"vmId\": 1, \"sourceHostId\": 1, \"hostId\": 3, \"memoryBytes\": 8589934592, \"vcpus\": 4, \"state\": \"ACTIVE\", \"createdAt\": \"2026-11-25T20:00:00Z\", \"expiresAt\": \"2026-11-25T21:00:00Z\", \"endedAt\": null, \"endReason\": null}")
public class Reservation extends PanacheEntityBase {
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
