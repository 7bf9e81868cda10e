package dev.ferry.inventory.audit;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;

/** One change of the fleet made through the API, and who made it. Append-only. */
@Entity
public class FleetChange extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Instant changedAt;
    /** The token's name and subject. */
    public String principal;
    public String principalSubject;
    /** created, changed, deleted, state, discovered, probed. */
    public String action;
    /** cluster, host, VM, storage pool, network (the aggregate in an operator's words). */
    public String entity;
    public Long entityId;
    /** What changed, in a line: the name, or the state from and to. */
    public String detail;
}
