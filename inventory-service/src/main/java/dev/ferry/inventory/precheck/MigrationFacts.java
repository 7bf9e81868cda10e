package dev.ferry.inventory.precheck;

import java.util.Set;

/**
 * What the pre-checks need to know, gathered from the inventory: plain values, no entities.
 */
public final class MigrationFacts {
    private MigrationFacts() {
    }

    /** The VM that would move. */
    public record VmFacts(long id, String name, boolean running, long hostId, long memoryBytes, int vcpus,
            Set<Long> volumePoolIds, Set<Long> networkIds) {
    }

    /** A host as a source or a target, with what is already committed on it. */
    public record HostFacts(long id, String name, boolean up, String state, String cpuVendor, int cpuFamily,
            String cpuModelName, long allocatableMemoryBytes, long allocatableVcpus,
            long usedMemoryBytes, long usedVcpus, Set<Long> reachablePoolIds, Set<Long> carriedNetworkIds) {

        public long freeMemoryBytes() {
            return allocatableMemoryBytes - usedMemoryBytes;
        }

        public long freeVcpus() {
            return allocatableVcpus - usedVcpus;
        }
    }
}
