package dev.ferry.inventory.precheck;

import java.util.Set;

/**
 * What the pre-checks need to know, gathered from the inventory: plain values, no entities.
 */
public final class MigrationFacts {
    private MigrationFacts() {
    }

    /**
     * The VM that would move. {@code requiredCpuVendor} and {@code requiredCpuFamily} are null when the VM
     * takes its host's CPU as it is: the source host's vendor and family are then the requirement.
     */
    public record VmFacts(long id, String name, boolean running, long hostId, long memoryBytes, int vcpus,
            Set<Long> volumePoolIds, Set<Long> networkIds, String requiredCpuVendor, Integer requiredCpuFamily,
            Set<String> requiredCpuFeatures, LibvirtCpu libvirtCpu) {

        public VmFacts(long id, String name, boolean running, long hostId, long memoryBytes, int vcpus,
                Set<Long> volumePoolIds, Set<Long> networkIds, String requiredCpuVendor, Integer requiredCpuFamily,
                Set<String> requiredCpuFeatures) {
            this(id, name, running, hostId, memoryBytes, vcpus, volumePoolIds, networkIds, requiredCpuVendor, requiredCpuFamily,
                    requiredCpuFeatures, null);
        }

        /** A VM that asks nothing of the CPU beyond what its current host is. */
        public VmFacts(long id, String name, boolean running, long hostId, long memoryBytes, int vcpus,
                Set<Long> volumePoolIds, Set<Long> networkIds) {
            this(id, name, running, hostId, memoryBytes, vcpus, volumePoolIds, networkIds, null, null, Set.of());
        }

        public VmFacts withLibvirtCpu(LibvirtCpu cpu) {
            return new VmFacts(id, name, running, hostId, memoryBytes, vcpus, volumePoolIds, networkIds, requiredCpuVendor,
                    requiredCpuFamily, requiredCpuFeatures, cpu);
        }
    }

    /**
     * What libvirt said about the VM's CPU definition at the last sync of its host: the hosts whose hypervisor can run
     * it, and those that cannot with libvirt's reason. Null when nobody asked (no libvirt report for the guest).
     */
    public record LibvirtCpu(Set<Long> runsOn, java.util.Map<Long, String> refusals, java.time.Instant observedAt) {
    }

    /** A host as a source or a target, with what is already committed on it. */
    public record HostFacts(long id, String name, boolean up, String state, String cpuVendor, int cpuFamily,
            String cpuModelName, Set<String> cpuFlags, long allocatableMemoryBytes, long allocatableVcpus,
            long usedMemoryBytes, long usedVcpus, Set<Long> reachablePoolIds, Set<Long> carriedNetworkIds) {

        public long freeMemoryBytes() {
            return allocatableMemoryBytes - usedMemoryBytes;
        }

        public long freeVcpus() {
            return allocatableVcpus - usedVcpus;
        }
    }
}
