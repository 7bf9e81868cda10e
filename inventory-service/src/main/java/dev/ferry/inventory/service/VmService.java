package dev.ferry.inventory.service;

import dev.ferry.inventory.api.Requests.NewVm;
import dev.ferry.inventory.api.VmState;
import dev.ferry.inventory.audit.FleetAudit;
import dev.ferry.inventory.events.InventoryEventLog;
import dev.ferry.inventory.model.Vm;
import dev.ferry.inventory.model.Volume;
import dev.ferry.inventory.repository.HostRepository;
import dev.ferry.inventory.repository.NetworkRepository;
import dev.ferry.inventory.repository.ReservationRepository;
import dev.ferry.inventory.repository.StoragePoolRepository;
import dev.ferry.inventory.repository.VmRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * VMs: memory, vCPUs, volumes, NICs, CPU requirement, and the host they run on. Moving a VM here corrects the record
 * (it was moved outside Ferry) and is refused while a migration holds a reservation for it; a removal is refused
 * then too. Both are inventory-events.
 */
@ApplicationScoped
public class VmService {

    @Inject
    FleetAudit audit;

    @Inject
    VmRepository vms;

    @Inject
    HostRepository hosts;

    @Inject
    StoragePoolRepository pools;

    @Inject
    NetworkRepository networks;

    @Inject
    ReservationRepository reservations;

    @Inject
    InventoryEventLog events;

    private VersionedCrud<Vm> crud() {
        return new VersionedCrud<>(vms, "vm", "VM", "VM", e -> e.id, audit);
    }

    @WithTransaction
    public Uni<Vm> create(NewVm req) {
        return crud().create(req.name(), () -> references(req), () -> {
            Vm vm = new Vm();
            apply(vm, req);
            vm.state = Objects.requireNonNullElse(req.state(), VmState.RUNNING);
            return vm;
        });
    }

    @WithTransaction
    public Uni<Vm> update(long id, NewVm req) {
        return crud().update(id, req.version(), req.name(), vm -> references(req)
                .call(() -> vm.hostId.equals(req.hostId()) ? Uni.createFrom().voidItem() : notMigrating(vm)), vm -> {
                    long from = vm.hostId;
                    apply(vm, req);
                    vm.state = Objects.requireNonNullElse(req.state(), vm.state);
                    return from != vm.hostId ? events.placementChanged(id, from, vm.hostId, "record corrected by an operator")
                            : Uni.createFrom().voidItem();
                });
    }

    @WithTransaction
    public Uni<Void> delete(long id) {
        return crud().delete(id, this::notMigrating, events::vmRemoved);
    }

    /** Refused while a migration holds a destination for it; its ended holds stay as the history of its moves. */
    private Uni<Void> notMigrating(Vm vm) {
        return Checks.unused(reservations.countActiveForVm(vm.id), "VM " + vm.name, "a migration in progress (active reservation)");
    }

    private Uni<Void> references(NewVm req) {
        var poolIds = req.volumes().stream().map(v -> v.poolId()).toList();
        return Checks.exists(hosts.findById(req.hostId()), "hostId", req.hostId())
                .flatMap(x -> Checks.allExist(ids -> pools.count("id in ?1", ids), poolIds, "volumes.poolId"))
                .flatMap(x -> Checks.allExist(ids -> networks.count("id in ?1", ids), req.networkIds(), "networkIds"));
    }

    private static void apply(Vm vm, NewVm req) {
        vm.name = req.name();
        vm.memoryBytes = req.memoryBytes();
        vm.vcpus = req.vcpus();
        vm.hostId = req.hostId();
        vm.volumes = req.volumes().stream().map(v -> {
            var vol = new Volume();
            vol.poolId = v.poolId();
            vol.sizeBytes = v.sizeBytes();
            return vol;
        }).collect(Collectors.toCollection(ArrayList::new));
        vm.networkIds = new HashSet<>(req.networkIds());
        var cpu = req.cpu();
        vm.cpuVendor = cpu == null ? null : cpu.vendor();
        vm.cpuFamily = cpu == null ? null : cpu.family();
        vm.cpuModelName = cpu == null ? null : cpu.modelName();
        vm.cpuFeatures = cpu == null || cpu.features() == null ? new HashSet<>() : new HashSet<>(cpu.features());
    }
}
