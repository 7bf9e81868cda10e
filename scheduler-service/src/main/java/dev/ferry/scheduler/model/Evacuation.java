package dev.ferry.scheduler.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.UUID;

/** Emptying one host for maintenance: the plan's shape; its migrations carry its id. */
@Entity
public class Evacuation extends PanacheEntityBase {
    @Id
    public UUID id;
    public long hostId;
    /** RUNNING or CANCELLED; "COMPLETED" is derived when every migration is final. */
    public String state;
    /** Migrations that may leave the host at once: its outbound limit. */
    public int concurrency;
    public long predictedMakespanMillis;
    /** JSON list of the VMs that cannot go anywhere, each with the reason. */
    public String unplaceable;
    public Instant createdAt;
    public Instant cancelledAt;
    /** The host's outbound limit when it started (V16): what a re-plan may go up to; null for older ones (no re-plan). */
    public Integer maxOutbound;
    /** When its last migration ended (V16); null while any runs. */
    public Instant finishedAt;
    /** Who asked for it (the token's name and subject); its migrations carry the same. */
    public String requestedBy;
    public String requestedBySubject;
}
