package dev.ferry.scheduler.model;

import dev.ferry.events.Principal;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.UUID;

/** A command sent or an event received, kept as it was on the wire. */
@Entity
public class AuditEntry extends PanacheEntityBase {
    /** COMMAND_SENT for what we emitted, EVENT_RECEIVED for what a worker reported. */
    public static final String SENT = "COMMAND_SENT";
    public static final String RECEIVED = "EVENT_RECEIVED";
    /** REQUEST_RECEIVED for what a person (or a service) asked through the API, with who asked. */
    public static final String REQUESTED = "REQUEST_RECEIVED";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public UUID migrationId;
    public String direction;
    public String recordType;
    public String recordId;
    public int attempt;
    public Long sequence;
    /** Why the record was kept but not applied ("ignored: ..."), or what applying it did when noteworthy ("applied: ..."). */
    public String note;
    public String payload;
    public Instant recordedAt;
    /** Who asked, for a request: the token's name and subject. */
    public String principal;
    public String principalSubject;

    public static AuditEntry of(UUID migrationId, String direction, String type, String recordId, int attempt,
            Long sequence, String payload) {
        AuditEntry a = new AuditEntry();
        a.migrationId = migrationId;
        a.direction = direction;
        a.recordType = type;
        a.recordId = recordId;
        a.attempt = attempt;
        a.sequence = sequence;
        a.payload = payload;
        a.recordedAt = Instant.now();
        return a;
    }

    /** An operator's request (MIGRATION_REQUESTED, CANCEL_REQUESTED, ...), with who asked and what was asked. */
    public static AuditEntry request(UUID migrationId, int attempt, String type, Principal by, String payload) {
        AuditEntry a = of(migrationId, REQUESTED, type, by.subject(), attempt, null, payload);
        a.principal = by.name();
        a.principalSubject = by.subject();
        return a;
    }
}
