package dev.ferry.scheduler.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.UUID;

/**
 * Something that disagrees with a migration's decided outcome (a worker's late or forged report), a migration whose
 * outcome nobody knows, or a host whose libvirtd contradicts inventory (discovery's sync). Raised instead of being
 * applied; an operator resolves it by stating where the VM runs, or acknowledges it.
 */
@Entity
public class Discrepancy extends PanacheEntityBase {
    /** An event contradicts the decided outcome (another outcome, or the VM elsewhere). */
    public static final String CONTRADICTS_OUTCOME = "CONTRADICTS_OUTCOME";
    /** An event claims to be the scheduler's decision, but the scheduler never sent it. */
    public static final String FORGED_DECISION = "FORGED_DECISION";
    /** Nobody can tell where the VM runs; the hold stays until an operator says. */
    public static final String OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN";

    /** A host's report contradicts inventory (GUEST_ELSEWHERE, GUEST_UNREGISTERED, VM_NOT_ON_HOST, HOST_UNREACHABLE). */
    public static boolean aboutHost(String kind) {
        return !CONTRADICTS_OUTCOME.equals(kind) && !FORGED_DECISION.equals(kind) && !OUTCOME_UNKNOWN.equals(kind);
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    /** The migration it concerns; null for one a host's report raised. */
    public UUID migrationId;
    /** The host whose report raised it, if one did. */
    public Long hostId;
    /** The VM it concerns, if one. */
    public Long vmId;
    public String kind;
    public String detail;
    /** The event or command that raised it, if one did. */
    public String recordId;
    public Instant raisedAt;
    public Instant resolvedAt;
    public String resolution;

    public static Discrepancy of(UUID migrationId, String kind, String detail, String recordId, Instant now) {
        Discrepancy d = new Discrepancy();
        d.migrationId = migrationId;
        d.kind = kind;
        d.detail = detail;
        d.recordId = recordId;
        d.raisedAt = now;
        return d;
    }
}
