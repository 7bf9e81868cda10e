package dev.ferry.inventory.model;

import dev.ferry.inventory.api.StoragePoolType;
import dev.ferry.inventory.api.StorageScope;

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
import jakarta.persistence.Version;
import jakarta.persistence.JoinColumn;
import java.util.HashSet;
import java.util.Set;

/** Storage that VM volumes live on, and the hosts that can reach it. */
@Entity
public class StoragePool {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    @Enumerated(EnumType.STRING)
    public StoragePoolType type;
    @Enumerated(EnumType.STRING)
    public StorageScope scope;
    public long capacityBytes;
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "storage_pool_host", joinColumns = @JoinColumn(name = "pool_id"))
    @Column(name = "host_id")
    public Set<Long> hostIds = new HashSet<>();
    @Version
    public long version;
}
