package dev.ferry.inventory.service;

import dev.ferry.inventory.model.Cluster;
import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.model.HostState;
import dev.ferry.inventory.model.Network;
import dev.ferry.inventory.model.Reservation;
import dev.ferry.inventory.model.ReservationState;
import dev.ferry.inventory.model.StoragePool;
import dev.ferry.inventory.model.Vm;
import dev.ferry.inventory.model.VmState;
import dev.ferry.inventory.outbox.InventoryEventLog;
import dev.ferry.inventory.rest.FleetRequests.NewCluster;
import dev.ferry.inventory.rest.FleetRequests.NewHost;
import dev.ferry.inventory.rest.FleetRequests.NewNetwork;
import dev.ferry.inventory.rest.FleetRequests.NewStoragePool;
import dev.ferry.inventory.rest.FleetRequests.NewVm;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Objects;

/**
 * Creates, changes and deletes clusters, hosts, storage, networks and VMs. Every reference is checked
 * first ({@link References}); an update names the version it read and is refused with 409 when someone
 * changed the resource since; a delete that would orphan something is refused with 409. Changes lock the
 * row they change, so that of two concurrent updates of one version the second sees the first's version.
 */
@ApplicationScoped
public class FleetService {

    @Inject
    InventoryEventLog events;

    @WithTransaction
    public Uni<Cluster> createCluster(NewCluster req) {
        return References.unique(Cluster.count("name", req.name()), "cluster", req.name()).flatMap(x -> {
            Cluster c = new Cluster();
            c.name = req.name();
            return c.persist();
        });
    }

    @WithTransaction
    public Uni<Cluster> updateCluster(long id, NewCluster req) {
        return References.<Cluster>load("cluster", () -> Cluster.findById(id), "Cluster", id, req.version(), c -> c.version)
                .call(c -> References.unique(Cluster.count("name = ?1 and id <> ?2", req.name(), id), "cluster", req.name()))
                .invoke(c -> c.name = req.name());
    }

    @WithTransaction
    public Uni<Void> deleteCluster(long id) {
        return References.<Cluster>load("cluster", () -> Cluster.findById(id), "Cluster", id, null, c -> c.version)
                .call(c -> References.unused(Host.count("clusterId", id), "cluster " + c.name, "hosts"))
                .call(PanacheEntityBase::delete).replaceWithVoid();
    }

    @WithTransaction
    public Uni<Host> createHost(NewHost req) {
        return References.unique(Host.count("name", req.name()), "host", req.name())
                .flatMap(x -> References.exists(Cluster.count("id", req.clusterId()), "clusterId", req.clusterId()))
                .flatMap(x -> {
                    Host h = new Host();
                    h.state = Objects.requireNonNullElse(req.state(), HostState.UP);
                    apply(h, req);
                    return h.persist();
                });
    }

    @WithTransaction
    public Uni<Host> updateHost(long id, NewHost req) {
        return References.<Host>load("host", () -> Host.findById(id), "Host", id, req.version(), h -> h.version)
                .call(h -> References.unique(Host.count("name = ?1 and id <> ?2", req.name(), id), "host", req.name()))
                .call(h -> References.exists(Cluster.count("id", req.clusterId()), "clusterId", req.clusterId()))
                .call(h -> {
                    HostState before = h.state;
                    apply(h, req);
                    h.state = Objects.requireNonNullElse(req.state(), before);
                    return h.state != before ? events.hostStateChanged(h, before.name()) : Uni.createFrom().voidItem();
                });
    }

    private static void apply(Host h, NewHost req) {
        h.name = req.name();
        h.clusterId = req.clusterId();
        h.cpuVendor = req.cpu().vendor();
        h.cpuFamily = req.cpu().family();
        h.cpuModel = req.cpu().model();
        h.cpuModelName = req.cpu().modelName();
        h.cpuFlags = req.cpu().flags() == null ? new HashSet<>() : new HashSet<>(req.cpu().flags());
        h.cpuMhz = req.cpu().mhz();
        h.cpuSockets = req.cpu().sockets();
        h.cpuCores = req.cpu().cores();
        h.memoryBytes = req.memoryBytes();
        // No memory overcommit by default (a migrating VM must fit); 4 vCPUs per core as CloudStack's default.
        h.memoryOvercommit = Objects.requireNonNullElse(req.memoryOvercommit(), 1.0);
        h.cpuOvercommit = Objects.requireNonNullElse(req.cpuOvercommit(), 4.0);
        h.hypervisorType = req.hypervisorType();
        h.hypervisorVersion = req.hypervisorVersion();
        h.migrationAddress = req.migrationAddress();
        h.linkBandwidthBytesPerSecond = req.linkBandwidthBytesPerSecond();
        // oVirt/VDSM defaults: 2 incoming and 2 outgoing migrations per host.
        h.maxInboundMigrations = Objects.requireNonNullElse(req.maxInboundMigrations(), 2);
        h.maxOutboundMigrations = Objects.requireNonNullElse(req.maxOutboundMigrations(), 2);
    }

    @WithTransaction
    public Uni<Host> changeHostState(long id, HostState state) {
        return References.<Host>load("host", () -> Host.findById(id), "Host", id, null, h -> h.version).call(h -> {
            HostState before = h.state;
            h.state = state;
            return before != state ? events.hostStateChanged(h, before.name()) : Uni.createFrom().voidItem();
        });
    }

    @WithTransaction
    public Uni<Void> deleteHost(long id) {
        return References.<Host>load("host", () -> Host.findById(id), "Host", id, null, h -> h.version)
                .call(h -> References.unused(Vm.count("hostId", id), "host " + h.name, "VMs"))
                .call(h -> References.unused(Reservation.count("hostId = ?1 and state = ?2", id, ReservationState.ACTIVE),
                        "host " + h.name, "active reservations"))
                .call(PanacheEntityBase::delete).replaceWithVoid();
    }

    @WithTransaction
    public Uni<StoragePool> createPool(NewStoragePool req) {
        return References.unique(StoragePool.count("name", req.name()), "storage pool", req.name())
                .flatMap(x -> References.allExist(ids -> Host.count("id in ?1", ids), req.hostIds(), "hostIds"))
                .flatMap(x -> {
                    StoragePool p = new StoragePool();
                    apply(p, req);
                    return p.persist();
                });
    }

    @WithTransaction
    public Uni<StoragePool> updatePool(long id, NewStoragePool req) {
        return References.<StoragePool>load("storage_pool", () -> StoragePool.findById(id), "Storage pool", id, req.version(), p -> p.version)
                .call(p -> References.unique(StoragePool.count("name = ?1 and id <> ?2", req.name(), id), "storage pool", req.name()))
                .call(p -> References.allExist(ids -> Host.count("id in ?1", ids), req.hostIds(), "hostIds"))
                .invoke(p -> apply(p, req));
    }

    private static void apply(StoragePool p, NewStoragePool req) {
        p.name = req.name();
        p.type = req.type();
        p.scope = req.scope();
        p.capacityBytes = req.capacityBytes();
        p.hostIds = new HashSet<>(req.hostIds());
    }

    @WithTransaction
    public Uni<Void> deletePool(long id) {
        return References.<StoragePool>load("storage_pool", () -> StoragePool.findById(id), "Storage pool", id, null, p -> p.version)
                .call(p -> References.unused(Vm.count("select count(distinct v) from Vm v join v.volumes vol where vol.poolId = ?1", id),
                        "storage pool " + p.name, "VM volumes"))
                .call(PanacheEntityBase::delete).replaceWithVoid();
    }

    @WithTransaction
    public Uni<Network> createNetwork(NewNetwork req) {
        return References.unique(Network.count("name", req.name()), "network", req.name())
                .flatMap(x -> References.allExist(ids -> Host.count("id in ?1", ids), req.hostIds(), "hostIds"))
                .flatMap(x -> {
                    Network n = new Network();
                    apply(n, req);
                    return n.persist();
                });
    }

    @WithTransaction
    public Uni<Network> updateNetwork(long id, NewNetwork req) {
        return References.<Network>load("network", () -> Network.findById(id), "Network", id, req.version(), n -> n.version)
                .call(n -> References.unique(Network.count("name = ?1 and id <> ?2", req.name(), id), "network", req.name()))
                .call(n -> References.allExist(ids -> Host.count("id in ?1", ids), req.hostIds(), "hostIds"))
                .invoke(n -> apply(n, req));
    }

    private static void apply(Network n, NewNetwork req) {
        n.name = req.name();
        n.vlan = req.vlan();
        n.bridge = req.bridge();
        n.hostIds = new HashSet<>(req.hostIds());
    }

    @WithTransaction
    public Uni<Void> deleteNetwork(long id) {
        return References.<Network>load("network", () -> Network.findById(id), "Network", id, null, n -> n.version)
                .call(n -> References.unused(Vm.count("select count(distinct v) from Vm v join v.networkIds nid where nid = ?1", id),
                        "network " + n.name, "VM NICs"))
                .call(PanacheEntityBase::delete).replaceWithVoid();
    }

    @WithTransaction
    public Uni<Vm> createVm(NewVm req) {
        return References.unique(Vm.count("name", req.name()), "VM", req.name())
                .flatMap(x -> checkVmReferences(req))
                .flatMap(x -> {
                    Vm vm = new Vm();
                    apply(vm, req);
                    vm.state = Objects.requireNonNullElse(req.state(), VmState.RUNNING);
                    return vm.persist();
                });
    }

    /**
     * Changes a VM's record. Moving it to another host here corrects the record (the VM was moved outside
     * Ferry); it is refused while a migration holds a reservation for it.
     */
    @WithTransaction
    public Uni<Vm> updateVm(long id, NewVm req) {
        return References.<Vm>load("vm", () -> Vm.findById(id), "VM", id, req.version(), v -> v.version)
                .call(vm -> References.unique(Vm.count("name = ?1 and id <> ?2", req.name(), id), "VM", req.name()))
                .call(vm -> checkVmReferences(req))
                .call(vm -> vm.hostId.equals(req.hostId()) ? Uni.createFrom().voidItem()
                        : References.unused(Reservation.count("vmId = ?1 and state = ?2", id, ReservationState.ACTIVE),
                                "VM " + vm.name, "a migration in progress (active reservation)"))
                .call(vm -> {
                    long from = vm.hostId;
                    apply(vm, req);
                    vm.state = Objects.requireNonNullElse(req.state(), vm.state);
                    return from != vm.hostId ? events.placementChanged(id, from, vm.hostId, "record corrected by an operator")
                            : Uni.createFrom().voidItem();
                });
    }

    private static Uni<Void> checkVmReferences(NewVm req) {
        var poolIds = req.volumes().stream().map(v -> v.poolId()).toList();
        return References.exists(Host.count("id", req.hostId()), "hostId", req.hostId())
                .flatMap(x -> References.allExist(ids -> StoragePool.count("id in ?1", ids), poolIds, "volumes.poolId"))
                .flatMap(x -> References.allExist(ids -> Network.count("id in ?1", ids), req.networkIds(), "networkIds"));
    }

    private static void apply(Vm vm, NewVm req) {
        vm.name = req.name();
        vm.memoryBytes = req.memoryBytes();
        vm.vcpus = req.vcpus();
        vm.hostId = req.hostId();
        vm.volumes = req.volumes().stream().map(v -> {
            var vol = new dev.ferry.inventory.model.Volume();
            vol.poolId = v.poolId();
            vol.sizeBytes = v.sizeBytes();
            return vol;
        }).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
        vm.networkIds = new HashSet<>(req.networkIds());
        var cpu = req.cpu();
        vm.cpuVendor = cpu == null ? null : cpu.vendor();
        vm.cpuFamily = cpu == null ? null : cpu.family();
        vm.cpuModelName = cpu == null ? null : cpu.modelName();
        vm.cpuFeatures = cpu == null || cpu.features() == null ? new HashSet<>() : new HashSet<>(cpu.features());
    }

    @WithTransaction
    public Uni<Void> deleteVm(long id) {
        return References.<Vm>load("vm", () -> Vm.findById(id), "VM", id, null, v -> v.version)
                .call(vm -> References.unused(Reservation.count("vmId = ?1 and state = ?2", id, ReservationState.ACTIVE),
                        "VM " + vm.name, "a migration in progress (active reservation)"))
                .call(PanacheEntityBase::delete).replaceWithVoid();
    }
}
