package dev.ferry.scheduler.model;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.MigrationMode;
import dev.ferry.events.Principal;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/**
 * One live migration, the aggregate: what moves where, its phase, and its latest progress. The phase changes in one
 * place, {@link #transition}, which refuses an illegal move and appends every move to the history. Orthogonal facts sit
 * beside the phase, as KubeVirt keeps them: the mode (pre-copy or post-copy), the abort status of an operator's
 * cancel, the worker run of the current attempt.
 */
@Entity
public class Migration extends PanacheEntityBase {
    @Id
    public UUID id;
    public String idempotencyKey;
    public long vmId;
    public String vmName;
    public long memoryBytes;
    /** The VM's vCPUs: what a queued migration claims on its destination beside memory (null on older rows). */
    public Integer vcpus;
    public long sourceHostId;
    public long targetHostId;
    /** Why this target: the operator's choice, the placement ranking, or the evacuation plan. */
    public String targetReason;
    /** Who chose the target: an operator's choice is kept or refused, never replaced. */
    @Enumerated(EnumType.STRING)
    public TargetChoice targetChoice;
    /** Set once a slot freed up and the destination was reserved; null while QUEUED. */
    public Long reservationId;
    @Enumerated(EnumType.STRING)
    public MigrationPriority priority;
    /** The hosts' migration limits, read at request time: at most this many leave the source at once... */
    public int sourceMaxOutbound;
    /** ...and at most this many enter the target at once. */
    public int targetMaxInbound;
    /** The operator's deadline: past it, the migration is ended, whatever its phase. */
    public Instant deadline;
    /** Highest vCPU throttle the operator allows, in percent; null lets the policy decide. */
    public Integer throttleCeilingPercent;
    /** Whether the operator allows a switch to post-copy. */
    public boolean allowPostCopy;
    /** The convergence policy the request chose; null: the workers' default. */
    public String policy;
    /** The stream's link: the slower of the two hosts' migration links. */
    public long linkBandwidthBytesPerSecond;
    /** The cluster a rebalance migration evens out; null for any other. */
    public Long rebalanceClusterId;
    /** Each end's own migration link, which concurrent migrations share; null on rows older than V14. */
    public Long sourceLinkBytesPerSecond;
    public Long targetLinkBytesPerSecond;
    /**
     * The share of the links last sent to its worker; null: the whole link. Written only by LinkAllocation's own
     * UPDATE, with the command it goes with: never by this entity, whose version the workers' events move on.
     */
    @jakarta.persistence.Column(insertable = false, updatable = false)
    public Long bandwidthCapBytesPerSecond;
    /**
     * When that cap last changed while the migration ran (null: not since its START), by the same UPDATE: a round that
     * began before it had another share.
     */
    @jakarta.persistence.Column(insertable = false, updatable = false)
    public Instant capChangedAt;
    /**
     * What its shares let it send from {@link #shareFrom} (when its attempt first ran; its START until then) to
     * {@link #shareSince}, when the cap in force now was sent; by LinkAllocation's UPDATE with each cap, and begun again
     * with the batch's rows (EventRows) when the attempt first runs (V20). Null on migrations started before it was kept.
     */
    @jakarta.persistence.Column(insertable = false, updatable = false)
    public Double shareCapacityBytes;
    @jakarta.persistence.Column(insertable = false, updatable = false)
    public Instant shareSince;
    @jakarta.persistence.Column(insertable = false, updatable = false)
    public Instant shareFrom;
    /** Where the libvirt driver reaches the two hosts, and where the destination takes the migration stream. */
    public String sourceLibvirtUri;
    public String targetLibvirtUri;
    public String targetMigrationAddress;
    public long maxDowntimeMillis;
    /** Changed only by {@link #transition}. */
    @Enumerated(EnumType.STRING)
    private MigrationPhase phase;
    /** Pre-copy until a worker reports the switch to post-copy; never back. */
    @Enumerated(EnumType.STRING)
    public MigrationMode mode;
    /** Whether a cancel was asked for and what came of it. */
    @Enumerated(EnumType.STRING)
    public AbortStatus abortStatus;
    /** Epoch of the migration, carried by its commands: events of older attempts never change it. */
    public int attempt;
    /** When this attempt first ran (null: not yet); kept across runs of the attempt, cleared by a retry. */
    public Instant attemptRunningSince;
    /** Which worker run of the attempt reports: a worker that takes the migration over starts the next run. */
    public int run;
    /** Where the current attempt's trace begins (AttemptTraces): its commands and decisions go out in it; null: untraced. */
    public String traceParent;
    public String driver;
    public String workerId;
    /** The worker holding the claim of the current attempt: the only one that may act on the hypervisor for it. */
    public String ownerId;
    /** When the owner's claim lapses unless renewed; past it, the migration is taken over. */
    public Instant leaseExpiresAt;
    /** Whether the owner's hypervisor job may keep running after the owner died (QEMU: yes; the simulator: no). */
    public boolean jobsOutliveWorker;
    /** How many times the migration may be retried as a new attempt after its worker died (the request's budget). */
    public int maxRetries;
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
    /** Whether the forecast converged within the request's limits (null on rows older than admission control). */
    public Boolean predictedConverges;
    /** The host evacuation this migration belongs to, if any. */
    public UUID evacuationId;
    /** Set when an operator asked to cancel; the phase turns CANCELLED when the worker confirms. */
    public Instant cancelRequestedAt;
    /**
     * Why the scheduler itself asked the worker to stop (deadline passed, no progress): the stop it confirms ends the
     * migration FAILED for this reason, where an operator's cancel ends it CANCELLED.
     */
    public String stopReason;
    /** Set when an operator asked to end the live rounds now. */
    public Instant forceCompleteRequestedAt;
    /** Who requested it: the token's name and subject (an evacuation's migrations carry the evacuation's requester). */
    public String requestedBy;
    public String requestedBySubject;
    /** Who asked to cancel it, and to force it to complete. */
    public String cancelRequestedBy;
    public String cancelRequestedBySubject;
    public String forceCompleteRequestedBy;
    public String forceCompleteRequestedBySubject;
    public Instant createdAt;
    /** The last change, or the last word from the worker: the waiting phases' timeouts count from here. */
    public Instant updatedAt;
    /**
     * When the phase became final, null until then: retention and the prediction report find ended migrations by it.
     * Not updatedAt, which every round changes: an index on it kept rounds from updating the row in place (V22).
     */
    public Instant endedAt;
    @Version
    public long version;

    /** Who requested the migration; null for one accepted before principals were recorded. */
    public Principal requester() {
        return requestedBy == null ? null : new Principal(requestedBySubject, requestedBy);
    }

    /** A migration just accepted, waiting for a slot; {@link #transition} records how it entered QUEUED. */
    public static Migration accepted(UUID id, Instant now) {
        Migration m = new Migration();
        m.id = id;
        m.mode = MigrationMode.PRE_COPY;
        m.abortStatus = AbortStatus.NONE;
        m.attempt = 1;
        m.run = 1;
        m.maxRetries = 1;
        m.createdAt = now;
        m.updatedAt = now;
        return m;
    }

    public MigrationPhase phase() {
        return phase;
    }

    /**
     * The one way the phase changes: refuses a move the transition table does not allow ({@link MigrationPhase#canMoveTo};
     * a new migration enters QUEUED from nothing) with {@link IllegalTransitionException}, before anything changes, and
     * otherwise returns the persisting of its history entry, to be chained into the caller's transaction.
     */
    public Uni<Void> transition(MigrationPhase to, String reason, Instant now) {
        MigrationPhase.requireMove(id, phase, to, reason);
        PhaseTransition entry = PhaseTransition.of(id, phase, to, reason, now);
        phase = to;
        updatedAt = now;
        if (to.isFinal()) {
            endedAt = now;
        }
        return entry.persist().replaceWithVoid();
    }

    /**
     * How long until it ends, in milliseconds: the later of what its forecast leaves after the time it has run, and its
     * remaining bytes at the bandwidth its last round measured; 0 once ended, null without a forecast.
     *
     * @param runningSince when it entered RUNNING (its history), or null when it has not
     */
    public Long etaMillis(Instant runningSince, Instant now) {
        if (phase().isFinal() || predictedTotalTimeMillis == null) {
            return phase().isFinal() ? 0L : null;
        }
        long elapsed = runningSince == null ? 0 : java.time.Duration.between(runningSince, now).toMillis();
        long byForecast = Math.max(0, predictedTotalTimeMillis - elapsed);
        long byBytes = bandwidthBytesPerSecond > 0 ? Math.round(remainingBytes * 1000.0 / bandwidthBytesPerSecond) : 0;
        return Math.max(byForecast, byBytes);
    }
}
