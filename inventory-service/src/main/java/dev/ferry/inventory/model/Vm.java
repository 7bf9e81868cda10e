package dev.ferry.inventory.model;

import dev.ferry.inventory.api.VmState;

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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A virtual machine, where it runs, and what it needs from a destination. */
@Entity
public class Vm {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    public long memoryBytes;
    public int vcpus;
    public Long hostId;
    @Enumerated(EnumType.STRING)
    public VmState state;
    /** Required CPU vendor; null means "the vendor of the host it runs on". */
    public String cpuVendor;
    /** Required CPU family; null means "the family of the host it runs on". */
    public Integer cpuFamily;
    /** A named CPU model the guest sees (e.g. "Westmere"), for the record; its features are in cpuFeatures. */
    public String cpuModelName;
    /** CPU features the guest uses; every target must offer all of them. */
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "vm_cpu_feature", joinColumns = @JoinColumn(name = "vm_id"))
    @Column(name = "feature")
    public Set<String> cpuFeatures = new HashSet<>();
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "vm_volume", joinColumns = @JoinColumn(name = "vm_id"))
    public List<Volume> volumes = new ArrayList<>();
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "vm_nic", joinColumns = @JoinColumn(name = "vm_id"))
    @Column(name = "network_id")
    public Set<Long> networkIds = new HashSet<>();
    /**
     * The host CPU the guest was last measured to use, in cores, and when (its host's report); null until a report
     * measured it. Written by the reports alone, beside the version: a measurement changes nothing an operator edits.
     */
    @Column(insertable = false, updatable = false)
    public Double cpuCoresUsed;
    @Column(insertable = false, updatable = false)
    public java.time.Instant cpuMeasuredAt;
    @Version
    public long version;
}
