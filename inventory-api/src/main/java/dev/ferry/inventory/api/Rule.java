package dev.ferry.inventory.api;

/** One pre-migration rule (the XenMotion checks). The name is the stable machine-readable code. */
public enum Rule {
    /** The target is not the host the VM already runs on. */
    NOT_CURRENT_HOST,
    /** The VM is running: only a running VM live-migrates. */
    VM_RUNNING,
    /**
     * libvirt on the source runs the guest, as its last sync (or a completed migration) said. Passes, saying so, for a
     * source not managed through libvirt or not yet synced; fails when its libvirtd did not answer the last probe.
     */
    GUEST_ON_SOURCE,
    /** The target is UP (not in maintenance, disabled or down). */
    TARGET_UP,
    /** Same CPU manufacturer as the VM requires (by default: as its current host). */
    CPU_VENDOR,
    /** Same CPU family as the VM requires; speed may differ (a Xeon 5130 and a 5120 are compatible). */
    CPU_FAMILY,
    /** The target's CPU offers every feature the VM's CPU requirement names. */
    CPU_FEATURES,
    /**
     * libvirt on the target says its hypervisor can run the guest's CPU definition (virConnectCompareHypervisorCPU, asked
     * by a worker during the host sync). Catches a CPU model the target cannot run although vendor and family match.
     * Passes, saying so, where no libvirt answer exists (a host not managed through libvirt, or not yet synced).
     */
    LIBVIRT_CPU,
    /**
     * Every volume is on storage the target can reach; otherwise a storage migration would be needed. Where libvirt on
     * the target was asked, it must also find every disk of the guest in one of its active pools.
     */
    STORAGE_REACHABLE,
    /** Every NIC's network is carried by the target; where libvirt on the target was asked, it has each network and bridge. */
    NETWORKS_CARRIED,
    /** Enough free memory on the target after placed VMs and active reservations. */
    MEMORY_CAPACITY,
    /** Enough free vCPUs on the target after placed VMs and active reservations. */
    CPU_CAPACITY,
    /**
     * Every TOGETHER placement rule naming the VM: each other member is on the target or moving there, or stays beside
     * the VM on its current host (to follow it). A group is thus on one host, or on two while it moves.
     */
    VM_AFFINITY,
    /** Every APART placement rule naming the VM: no other member is on the target or moving there. */
    VM_ANTI_AFFINITY,
    /** Every ON_HOSTS placement rule naming the VM lists the target. */
    HOST_AFFINITY
}
