package dev.ferry.scheduler.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.UUID;

/** One step of a migration's append-only phase history. */
@Entity
public class PhaseTransition extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public UUID migrationId;
    @Enumerated(EnumType.STRING)
    public MigrationPhase fromPhase;
    @Enumerated(EnumType.STRING)
    public MigrationPhase toPhase;
    public Instant at;
    public String reason;

    static PhaseTransition of(UUID migrationId, MigrationPhase from, MigrationPhase to, String reason, Instant at) {
        PhaseTransition t = new PhaseTransition();
        t.migrationId = migrationId;
        t.fromPhase = from;
        t.toPhase = to;
        t.at = at;
        t.reason = reason;
        return t;
    }
}
