package dev.ferry.inventory.api;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What inventory-service answers: one record per resource, the same records the scheduler reads. A renamed field
 * is a compile error on both sides, not a value that silently reads as 0.
 */
public final class Views {
    private Views() {
    }

    /** A group of hosts that migrate among themselves. */
    @Schema(name = "Cluster", example = "{\"id\": 1, \"name\": \"rack-a\", \"version\": 0}")
    public record ClusterView(long id, String name, long version) {
    }

    /** A hypervisor host: its CPU, memory, link and migration limits. */
    @Schema(name = "Host", example = "{\"id\": 1, \"name\": \"hv-01\", \"clusterId\": 1, \"state\": \"UP\", \"cpuVendor\": \"GenuineIntel\", \"cpuFamily\": 6, \"cpuModel\": 15, \"cpuModelName\": \"Intel Xeon 5130\", \"cpuFlags\": [\"sse4_2\", \"vmx\"], \"cpuMhz\": 2000, \"cpuSockets\": 2, \"cpuCores\": 4, \"memoryBytes\": 68719476736, \"memoryOvercommit\": 1.0, \"cpuOvercommit\": 4.0, \"hypervisorType\": \"KVM\", \"hypervisorVersion\": \"QEMU 10.0.2\", \"migrationAddress\": \"192.0.2.11\", \"linkBandwidthBytesPerSecond\": 1250000000, \"maxInboundMigrations\": 2, \"maxOutboundMigrations\": 2, \"version\": 0}")
    public record HostView(long id, String name, long clusterId, HostState state, String cpuVendor, int cpuFamily, int cpuModel,
            String cpuModelName, Set<String> cpuFlags, int cpuMhz, int cpuSockets, int cpuCores, long memoryBytes,
            double memoryOvercommit, double cpuOvercommit, String hypervisorType, String hypervisorVersion,
            String migrationAddress, long linkBandwidthBytesPerSecond, int maxInboundMigrations, int maxOutboundMigrations,
            long version, String libvirtUri,
            @Schema(description = "When a worker last reported what the host's libvirtd said (discovery and sync); null if never")
            java.time.Instant lastReportAt,
            @Schema(description = "Why the last probe of the host got no answer; null when it answered")
            String unreachableReason) {
    }

    /** Storage that VM volumes live on, and the hosts that can reach it. */
    @Schema(name = "StoragePool", example = "{\"id\": 1, \"name\": \"nfs-primary\", \"type\": \"NFS\", \"scope\": \"CLUSTER\", \"capacityBytes\": 10995116277760, \"hostIds\": [1, 2, 3], \"version\": 0}")
    public record StoragePoolView(long id, String name, StoragePoolType type, StorageScope scope, long capacityBytes,
            Set<Long> hostIds, long version) {
    }

    /** A guest network (VLAN or bridge) and the hosts that carry it. */
    @Schema(name = "Network", example = "{\"id\": 1, \"name\": \"guest-vlan-100\", \"vlan\": 100, \"bridge\": null, \"hostIds\": [1, 2, 3], \"version\": 0}")
    public record NetworkView(long id, String name, Integer vlan, String bridge, Set<Long> hostIds, long version) {
    }

    /** A VM disk on a storage pool. */
    public record VolumeView(long poolId, long sizeBytes) {
    }

    /** A virtual machine, where it runs, and what it needs from a destination. */
    @Schema(name = "Vm", example = "{\"id\": 1, \"name\": \"web-1\", \"memoryBytes\": 8589934592, \"vcpus\": 4, \"hostId\": 1, \"state\": \"RUNNING\", \"cpuVendor\": null, \"cpuFamily\": null, \"cpuModelName\": null, \"cpuFeatures\": [\"sse4_2\"], \"volumes\": [{\"poolId\": 1, \"sizeBytes\": 42949672960}], \"networkIds\": [1], \"version\": 0, \"cpuCoresUsed\": 1.4, \"cpuMeasuredAt\": \"2026-12-04T21:00:00Z\"}")
    public record VmView(long id, String name, long memoryBytes, int vcpus, long hostId, VmState state, String cpuVendor,
            Integer cpuFamily, String cpuModelName, Set<String> cpuFeatures, List<VolumeView> volumes, Set<Long> networkIds,
            long version,
            @Schema(description = "Host CPU the guest was last measured to use, in cores (its CPU time per second, over the "
                    + "host probe's window); null until a libvirt host's report measured it")
            Double cpuCoresUsed,
            @Schema(description = "When cpuCoresUsed was measured; null if never")
            Instant cpuMeasuredAt) {

        /** A VM whose CPU use nobody measured. */
        public VmView(long id, String name, long memoryBytes, int vcpus, long hostId, VmState state, String cpuVendor,
                Integer cpuFamily, String cpuModelName, Set<String> cpuFeatures, List<VolumeView> volumes, Set<Long> networkIds,
                long version) {
            this(id, name, memoryBytes, vcpus, hostId, state, cpuVendor, cpuFamily, cpuModelName, cpuFeatures, volumes, networkIds,
                    version, null, null);
        }
    }

    /** A placement rule: these VMs together, apart, or only on these hosts. */
    @Schema(name = "PlacementRule", example = "{\"id\": 4, \"name\": \"web-apart\", \"kind\": \"APART\", \"vmIds\": [11, 12, 13], \"hostIds\": [], \"version\": 0}")
    public record PlacementRuleView(long id, String name, PlacementKind kind, Set<Long> vmIds, Set<Long> hostIds, long version) {
    }

    /** CPU and memory held on a destination host for one migration. */
    @Schema(name = "Reservation", example = "{\"id\": 7, \"migrationId\": \"7d8e2f5c-2f61-4a7e-9a63-2c1a9d7c6a10\", \"vmId\": 1, \"sourceHostId\": 1, \"hostId\": 3, \"memoryBytes\": 8589934592, \"vcpus\": 4, \"state\": \"ACTIVE\", \"createdAt\": \"2026-11-25T20:00:00Z\", \"expiresAt\": \"2026-11-25T21:00:00Z\", \"endedAt\": null, \"endReason\": null}")
    public record ReservationView(long id, UUID migrationId, long vmId, long sourceHostId, long hostId, long memoryBytes,
            int vcpus, ReservationState state, Instant createdAt, Instant expiresAt, Instant endedAt, String endReason) {
    }

    /**
     * A candidate host with its verdict and the free memory and vCPUs it would keep with the VM on it (counting the
     * destinations reserved for migrations already under way; negative when the VM does not fit).
     */
    @Schema(example = "{\"verdict\": {\"hostId\": 3, \"hostName\": \"hv-03\", \"compatible\": true, \"failed\": [], \"rules\": []}, \"freeMemoryAfterBytes\": 53687091200, \"freeVcpusAfter\": 12}")
    public record Candidate(Verdict verdict, long freeMemoryAfterBytes, int freeVcpusAfter) {
    }
}
