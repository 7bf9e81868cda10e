package dev.ferry.inventory.model;

import dev.ferry.inventory.api.HostState;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.util.HashSet;
import java.util.Set;

/** A hypervisor host: its CPU, memory, link and migration limits. */
@Entity
public class Host {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    public Long clusterId;
    @Enumerated(EnumType.STRING)
    public HostState state;
    public String cpuVendor;
    public int cpuFamily;
    public int cpuModel;
    public String cpuModelName;
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "host_cpu_flag", joinColumns = @JoinColumn(name = "host_id"))
    @Column(name = "flag")
    public Set<String> cpuFlags = new HashSet<>();
    public int cpuMhz;
    public int cpuSockets;
    public int cpuCores;
    public long memoryBytes;
    public double memoryOvercommit;
    public double cpuOvercommit;
    public String hypervisorType;
    public String hypervisorVersion;
    public String migrationAddress;
    /** Where the libvirt driver reaches the host's libvirtd; null for a host only simulated or reached over QMP. */
    public String libvirtUri;
    /** When a worker last reported on the host (discovery and sync); null for a host never probed. */
    public java.time.Instant lastReportAt;
    /** Why the last probe got no answer from the host's libvirtd; null when it answered. */
    public String unreachableReason;
    public long linkBandwidthBytesPerSecond;
    public int maxInboundMigrations;
    public int maxOutboundMigrations;
    @Version
    public long version;

    /** Memory the host may hand out, after overcommit. */
    public long allocatableMemoryBytes() {
        return (long) (memoryBytes * memoryOvercommit);
    }

    /** vCPUs the host may hand out, after overcommit. */
    public long allocatableVcpus() {
        return (long) Math.floor((long) cpuSockets * cpuCores * cpuOvercommit);
    }
}
