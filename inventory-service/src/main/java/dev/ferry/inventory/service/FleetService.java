package dev.ferry.inventory.service;

import dev.ferry.inventory.model.Cluster;
import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.model.HostState;
import dev.ferry.inventory.model.Network;
import dev.ferry.inventory.model.StoragePool;
import dev.ferry.inventory.model.Vm;
import dev.ferry.inventory.model.VmState;
import dev.ferry.inventory.model.Volume;
import dev.ferry.inventory.rest.FleetRequests.NewCluster;
import dev.ferry.inventory.rest.FleetRequests.NewHost;
import dev.ferry.inventory.rest.FleetRequests.NewNetwork;
import dev.ferry.inventory.rest.FleetRequests.NewStoragePool;
import dev.ferry.inventory.rest.FleetRequests.NewVm;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/** Creates and changes clusters, hosts, storage, networks and VMs, checking every reference first. */
@ApplicationScoped
public class FleetService {

    @WithTransaction
    public Uni<Cluster> createCluster(NewCluster req) {
        return unique(Cluster.count("name", req.name()), "cluster", req.name()).flatMap(x -> {
            Cluster c = new Cluster();
            c.name = req.name();
            return c.persist();
        });
    }

    @WithTransaction
    public Uni<Host> createHost(NewHost req) {
        return unique(Host.count("name", req.name()), "host", req.name())
                .flatMap(x -> exists(Cluster.count("id", req.clusterId()), "clusterId", req.clusterId()))
                .flatMap(x -> {
                    Host h = new Host();
                    h.name = req.name();
                    h.clusterId = req.clusterId();
                    h.state = Objects.requireNonNullElse(req.state(), HostState.UP);
                    h.cpuVendor = req.cpu().vendor();
                    h.cpuFamily = req.cpu().family();
                    h.cpuModel = req.cpu().model();
                    h.cpuModelName = req.cpu().modelName();
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
                    return h.persist();
                });
    }

    @WithTransaction
    public Uni<Host> changeHostState(long id, HostState state) {
        return Host.<Host>findById(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Host", id))
                .invoke(h -> h.state = state);
    }

    @WithTransaction
    public Uni<StoragePool> createPool(NewStoragePool req) {
        return unique(StoragePool.count("name", req.name()), "storage pool", req.name())
                .flatMap(x -> allExist(ids -> Host.count("id in ?1", ids), req.hostIds(), "hostIds"))
                .flatMap(x -> {
                    StoragePool p = new StoragePool();
                    p.name = req.name();
                    p.type = req.type();
                    p.scope = req.scope();
                    p.capacityBytes = req.capacityBytes();
                    p.hostIds = new HashSet<>(req.hostIds());
                    return p.persist();
                });
    }

    @WithTransaction
    public Uni<Network> createNetwork(NewNetwork req) {
        return unique(Network.count("name", req.name()), "network", req.name())
                .flatMap(x -> allExist(ids -> Host.count("id in ?1", ids), req.hostIds(), "hostIds"))
                .flatMap(x -> {
                    Network n = new Network();
                    n.name = req.name();
                    n.vlan = req.vlan();
                    n.bridge = req.bridge();
                    n.hostIds = new HashSet<>(req.hostIds());
                    return n.persist();
                });
    }

    @WithTransaction
    public Uni<Vm> createVm(NewVm req) {
        var poolIds = req.volumes().stream().map(v -> v.poolId()).toList();
        return unique(Vm.count("name", req.name()), "VM", req.name())
                .flatMap(x -> exists(Host.count("id", req.hostId()), "hostId", req.hostId()))
                .flatMap(x -> allExist(ids -> StoragePool.count("id in ?1", ids), poolIds, "volumes.poolId"))
                .flatMap(x -> allExist(ids -> Network.count("id in ?1", ids), req.networkIds(), "networkIds"))
                .flatMap(x -> {
                    Vm vm = new Vm();
                    vm.name = req.name();
                    vm.memoryBytes = req.memoryBytes();
                    vm.vcpus = req.vcpus();
                    vm.hostId = req.hostId();
                    vm.state = VmState.RUNNING;
                    vm.volumes = req.volumes().stream().map(v -> {
                        Volume vol = new Volume();
                        vol.poolId = v.poolId();
                        vol.sizeBytes = v.sizeBytes();
                        return vol;
                    }).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
                    vm.networkIds = new HashSet<>(req.networkIds());
                    return vm.persist();
                });
    }

    private static Uni<Void> unique(Uni<Long> count, String what, String name) {
        return count.flatMap(n -> n > 0
                ? Uni.createFrom().failure(ProblemException.conflict("duplicate-name", "a " + what + " named '" + name + "' already exists"))
                : Uni.createFrom().voidItem());
    }

    private static Uni<Void> exists(Uni<Long> count, String field, Object id) {
        return count.flatMap(n -> n == 0 ? Uni.createFrom().failure(unknownReference(field, id)) : Uni.createFrom().voidItem());
    }

    /** One query for the whole set: the count of existing ids must equal the count asked for. */
    private static Uni<Void> allExist(Function<Set<Long>, Uni<Long>> counter, Collection<Long> ids, String field) {
        Set<Long> distinct = new HashSet<>(ids);
        if (distinct.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return counter.apply(distinct).flatMap(n -> n == distinct.size() ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(unknownReference(field, distinct)));
    }

    private static ProblemException unknownReference(String field, Object id) {
        return new ProblemException(new Problem("unknown-reference", "Unknown reference", 422,
                field + " refers to " + id + ", which does not exist (or not all of it does)").with("field", field));
    }
}
