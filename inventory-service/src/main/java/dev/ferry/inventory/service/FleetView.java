package dev.ferry.inventory.service;

import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.model.HostState;
import dev.ferry.inventory.model.Network;
import dev.ferry.inventory.model.Reservation;
import dev.ferry.inventory.model.StoragePool;
import dev.ferry.inventory.model.Vm;
import dev.ferry.inventory.model.VmState;
import dev.ferry.inventory.model.Volume;
import dev.ferry.inventory.precheck.MigrationFacts.HostFacts;
import dev.ferry.inventory.precheck.MigrationFacts.VmFacts;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A consistent read of the fleet, turned into the plain facts the pre-checks take. A host's load is
 * every VM placed on it plus every active, unexpired reservation held on it.
 */
record FleetView(List<Vm> vms, List<StoragePool> pools, List<Network> networks, List<Reservation> activeReservations) {

    VmFacts vmFacts(Vm vm) {
        Set<Long> poolIds = vm.volumes.stream().map((Volume v) -> v.poolId).collect(Collectors.toSet());
        return new VmFacts(vm.id, vm.name, vm.state == VmState.RUNNING, vm.hostId, vm.memoryBytes, vm.vcpus,
                poolIds, new HashSet<>(vm.networkIds), vm.cpuVendor, vm.cpuFamily, new HashSet<>(vm.cpuFeatures));
    }

    HostFacts hostFacts(Host host) {
        Instant now = Instant.now();
        long usedMemory = 0;
        long usedVcpus = 0;
        for (Vm vm : vms) {
            if (host.id.equals(vm.hostId)) {
                usedMemory += vm.memoryBytes;
                usedVcpus += vm.vcpus;
            }
        }
        for (Reservation r : activeReservations) {
            if (host.id.equals(r.hostId) && r.expiresAt.isAfter(now)) {
                usedMemory += r.memoryBytes;
                usedVcpus += r.vcpus;
            }
        }
        Set<Long> reachable = pools.stream().filter(p -> p.hostIds.contains(host.id)).map(p -> p.id)
                .collect(Collectors.toSet());
        Set<Long> carried = networks.stream().filter(n -> n.hostIds.contains(host.id)).map(n -> n.id)
                .collect(Collectors.toSet());
        return new HostFacts(host.id, host.name, host.state == HostState.UP, host.state.name(), host.cpuVendor,
                host.cpuFamily, host.cpuModelName, new HashSet<>(host.cpuFlags), host.allocatableMemoryBytes(), host.allocatableVcpus(),
                usedMemory, usedVcpus, reachable, carried);
    }
}
