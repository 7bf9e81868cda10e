package dev.ferry.inventory.model;

import dev.ferry.inventory.api.PlacementKind;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Version;
import java.util.HashSet;
import java.util.Set;

/** A placement rule: these VMs together, apart, or only on these hosts (V10). */
@Entity
public class PlacementRule {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    @Enumerated(EnumType.STRING)
    public PlacementKind kind;
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "placement_rule_vm", joinColumns = @JoinColumn(name = "rule_id"))
    @Column(name = "vm_id")
    public Set<Long> vmIds = new HashSet<>();
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "placement_rule_host", joinColumns = @JoinColumn(name = "rule_id"))
    @Column(name = "host_id")
    public Set<Long> hostIds = new HashSet<>();
    @Version
    public long version;
}
