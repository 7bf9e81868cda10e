package dev.ferry.inventory.model;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import jakarta.persistence.JoinColumn;
import java.util.HashSet;
import java.util.Set;

/** A guest network (VLAN or bridge) and the hosts that carry it. */
@Entity
public class Network {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    public Integer vlan;
    public String bridge;
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "network_host", joinColumns = @JoinColumn(name = "network_id"))
    @Column(name = "host_id")
    public Set<Long> hostIds = new HashSet<>();
    @Version
    public long version;
}
