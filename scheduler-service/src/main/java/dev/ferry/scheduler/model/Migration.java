package dev.ferry.scheduler.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** One live migration: what moves where, its phase, and its latest progress. */
@Entity
public class Migration extends PanacheEntityBase {
    @Id
    public UUID id;
    public String idempotencyKey;
    public long vmId;
    public String vmName;
    public long memoryBytes;
    public long sourceHostId;
    public long targetHostId;
    /** Why this target: the operator's choice, or the placement ranking. */
    public String targetReason;
    /** Set once a slot freed up and the destination was reserved; null while QUEUED. */
    public Long reservationId;
    @Enumerated(EnumType.STRING)
    public MigrationPriority priority;
    /** The hosts' migration limits, read at request time: at most this many leave the source at once... */
    public int sourceMaxOutbound;
    /** ...and at most this many enter the target at once. */
    public int targetMaxInbound;
    /** The operator's deadline: past it, the migration is cancelled, whatever its phase. */
    public Instant deadline;
    /** Highest vCPU throttle the operator allows, in percent; null lets the policy decide. */
    public Integer throttleCeilingPercent;
    /** Whether the operator allows a switch to post-copy. */
    public boolean allowPostCopy;
    public long linkBandwidthBytesPerSecond;
    public long maxDowntimeMillis;
    @Enumerated(EnumType.STRING)
    public MigrationPhase phase;
    /** Epoch of the migration: events of older attempts never change it. */
    public int attempt;
    public String driver;
    public String workerId;
    public int currentRound;
    public long bytesSent;
    public long remainingBytes;
    public double dirtyRatePagesPerSecond;
    public double bandwidthBytesPerSecond;
    public long expectedDowntimeMillis;
    public int throttlePercent;
    /** Never decreases: an operator watching a bar must never see it run backwards. */
    public double progressPercent;
    public Long downtimeMillis;
    public Long totalTimeMillis;
    /** The root cause when FAILED or CANCELLED. */
    public String failureReason;
    public long lastSequence;
    /** The forecast made at request time; kept beside the actual outcome to show the prediction error. */
    public Integer predictedRounds;
    public Long predictedTotalTimeMillis;
    public Long predictedDowntimeMillis;
    /** Where the forecast's dirty rate came from. */
    public String predictionBasis;
    /** The host evacuation this migration belongs to, if any. */
    public UUID evacuationId;
    /** Set when an operator asked to cancel; the phase turns CANCELLED when the worker confirms. */
    public Instant cancelRequestedAt;
    /** Set when an operator asked to end the live rounds now. */
    public Instant forceCompleteRequestedAt;
    public Instant createdAt;
    public Instant updatedAt;
    @Version
    public long version;
}
