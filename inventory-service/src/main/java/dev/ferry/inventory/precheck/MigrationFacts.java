package dev.ferry.inventory.precheck;

import dev.ferry.inventory.api.PlacementKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
            Set<String> requiredCpuFeatures, LibvirtGuest libvirt, List<PlacementFacts> placement) {

        public VmFacts(long id, String name, boolean running, long hostId, long memoryBytes, int vcpus,
                Set<Long> volumePoolIds, Set<Long> networkIds, String requiredCpuVendor, Integer requiredCpuFamily,
                Set<String> requiredCpuFeatures) {
            this(id, name, running, hostId, memoryBytes, vcpus, volumePoolIds, networkIds, requiredCpuVendor, requiredCpuFamily,
                    requiredCpuFeatures, null, List.of());
        }

        public VmFacts withPlacement(List<PlacementFacts> rules) {
            return new VmFacts(id, name, running, hostId, memoryBytes, vcpus, volumePoolIds, networkIds, requiredCpuVendor,
                    requiredCpuFamily, requiredCpuFeatures, libvirt, List.copyOf(rules));
        }

        /** A VM that asks nothing of the CPU beyond what its current host is. */
        public VmFacts(long id, String name, boolean running, long hostId, long memoryBytes, int vcpus,
                Set<Long> volumePoolIds, Set<Long> networkIds) {
            this(id, name, running, hostId, memoryBytes, vcpus, volumePoolIds, networkIds, null, null, Set.of());
        }

        public VmFacts withLibvirt(LibvirtGuest guest) {
            return new VmFacts(id, name, running, hostId, memoryBytes, vcpus, volumePoolIds, networkIds, requiredCpuVendor,
                    requiredCpuFamily, requiredCpuFeatures, guest, placement);
        }
    }

    /**
     * A placement rule that names the VM: the other VMs it names, with where each runs and where an active reservation
     * is taking it (null: nowhere), and for ON_HOSTS the hosts allowed, by id with their names.
     */
    public record PlacementFacts(String name, PlacementKind kind, List<Member> others, Map<Long, String> hosts) {
    }

    /** Another VM of a placement rule, where it runs and where it is moving (null when it is not). */
    public record Member(long vmId, String vmName, long hostId, String hostName, Long movingToHostId, String movingToHostName) {
        /** Where it will be: its destination while it moves, its host otherwise. */
        public long endsOn() {
            return movingToHostId != null ? movingToHostId : hostId;
        }
    }

    /**
     * What the VM's host said about the guest of the VM's name at its last sync (or what a completed migration carried
     * over): whether it runs, and the answers of the other hosts of its cluster about its CPU (libvirt's CPU comparison),
     * its disks and its networks. Null when the host reported no guest of that name.
     */
    public record LibvirtGuest(boolean running, PeerAnswers cpu, PeerAnswers disks, PeerAnswers networks, Instant observedAt) {
    }

    /** The hosts that said yes, and those that said no with libvirt's reason; a host in neither was not asked. */
    public record PeerAnswers(Set<Long> yes, Map<Long, String> no) {
        public static final PeerAnswers NONE = new PeerAnswers(Set.of(), Map.of());
    }

    /**
     * How a host is reached through libvirt, and what its last probe gave: null for a host not managed through libvirt.
     * {@code lastReportAt} is null until a worker answered a probe; {@code unreachableReason} is set while the last one
     * found its libvirtd silent.
     */
    public record HostLibvirt(String uri, Instant lastReportAt, String unreachableReason) {
    }

    /** A host as a source or a target, with what is already committed on it. */
    public record HostFacts(long id, String name, boolean up, String state, String cpuVendor, int cpuFamily,
            String cpuModelName, Set<String> cpuFlags, long allocatableMemoryBytes, long allocatableVcpus,
            long usedMemoryBytes, long usedVcpus, Set<Long> reachablePoolIds, Set<Long> carriedNetworkIds, HostLibvirt libvirt) {

        /** A host not managed through libvirt. */
        public HostFacts(long id, String name, boolean up, String state, String cpuVendor, int cpuFamily, String cpuModelName,
                Set<String> cpuFlags, long allocatableMemoryBytes, long allocatableVcpus, long usedMemoryBytes, long usedVcpus,
                Set<Long> reachablePoolIds, Set<Long> carriedNetworkIds) {
            this(id, name, up, state, cpuVendor, cpuFamily, cpuModelName, cpuFlags, allocatableMemoryBytes, allocatableVcpus,
                    usedMemoryBytes, usedVcpus, reachablePoolIds, carriedNetworkIds, null);
        }

        public long freeMemoryBytes() {
            return allocatableMemoryBytes - usedMemoryBytes;
        }

        public long freeVcpus() {
            return allocatableVcpus - usedVcpus;
        }
    }
}
