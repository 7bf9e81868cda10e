package dev.ferry.inventory.model;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Version;

/** A group of hosts that migrate among themselves. */
@Entity
@Schema(example = "{\"id\": 1, \"name\": \"rack-a\", \"version\": 0}")
public class Cluster extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    @Version
    public long version;
}
