package dev.ferry.inventory.service;

import dev.ferry.inventory.InventoryConfig;
import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.Requests.DiscoverHost;
import dev.ferry.inventory.api.Requests.NewHost;
import dev.ferry.inventory.audit.FleetAudit;
import dev.ferry.inventory.events.InventoryEventLog;
import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.repository.ClusterRepository;
import dev.ferry.inventory.repository.HostRepository;
import dev.ferry.inventory.repository.ReservationRepository;
import dev.ferry.inventory.repository.VmRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Objects;

/** Hypervisor hosts: their CPU, memory, link, limits and state. A state change and a removal are inventory-events. */
@ApplicationScoped
public class HostService {

    @Inject
    FleetAudit audit;

    @Inject
    HostRepository hosts;

    @Inject
    ClusterRepository clusters;

    @Inject
    VmRepository vms;

    @Inject
    ReservationRepository reservations;

    @Inject
    InventoryEventLog events;

    @Inject
    InventoryConfig config;

    private VersionedCrud<Host> crud() {
        return new VersionedCrud<>(hosts, "host", "Host", "host", e -> e.id, audit);
    }

    @WithTransaction
    public Uni<Host> create(NewHost req) {
        return crud().create(req.name(), () -> Checks.exists(clusters.findById(req.clusterId()), "clusterId", req.clusterId()), () -> {
            Host h = new Host();
            h.state = Objects.requireNonNullElse(req.state(), HostState.UP);
            apply(h, req);
            return h;
        });
    }

    /**
     * A host registered by its libvirt URI only: DISCOVERING, nothing known of its CPU and memory until a worker's
     * report fills them in (discovery). Same name rule and defaults as a typed-in host; the caller's transaction.
     */
    public Uni<Host> createDiscovering(DiscoverHost req) {
        return crud().create(req.name(), () -> Checks.exists(clusters.findById(req.clusterId()), "clusterId", req.clusterId()), () -> {
            Host h = new Host();
            h.name = req.name();
            h.clusterId = req.clusterId();
            h.state = HostState.DISCOVERING;
            h.cpuVendor = "unknown";
            h.cpuModelName = "unknown";
            h.hypervisorType = "KVM";
            h.hypervisorVersion = "unknown";
            h.migrationAddress = req.migrationAddress();
            h.libvirtUri = req.libvirtUri();
            h.linkBandwidthBytesPerSecond = req.linkBandwidthBytesPerSecond();
            limits(h, req.memoryOvercommit(), req.cpuOvercommit(), req.maxInboundMigrations(), req.maxOutboundMigrations());
            return h;
        });
    }

    @WithTransaction
    public Uni<Host> update(long id, NewHost req) {
        return crud().update(id, req.version(), req.name(),
                h -> Checks.exists(clusters.findById(req.clusterId()), "clusterId", req.clusterId()),
                h -> {
                    HostState before = h.state;
                    apply(h, req);
                    h.state = Objects.requireNonNullElse(req.state(), before);
                    return h.state != before ? events.hostStateChanged(h, before.name()) : Uni.createFrom().voidItem();
                });
    }

    private void apply(Host h, NewHost req) {
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
        limits(h, req.memoryOvercommit(), req.cpuOvercommit(), req.maxInboundMigrations(), req.maxOutboundMigrations());
        h.hypervisorType = req.hypervisorType();
        h.hypervisorVersion = req.hypervisorVersion();
        h.migrationAddress = req.migrationAddress();
        h.libvirtUri = req.libvirtUri();
        h.linkBandwidthBytesPerSecond = req.linkBandwidthBytesPerSecond();
    }

    /** Overcommit and migration limits: the request's, or the configured defaults. */
    private void limits(Host h, Double memoryOvercommit, Double cpuOvercommit, Integer inbound, Integer outbound) {
        h.memoryOvercommit = Objects.requireNonNullElse(memoryOvercommit, config.defaultMemoryOvercommit());
        h.cpuOvercommit = Objects.requireNonNullElse(cpuOvercommit, config.defaultCpuOvercommit());
        h.maxInboundMigrations = Objects.requireNonNullElse(inbound, config.defaultMaxInboundMigrations());
        h.maxOutboundMigrations = Objects.requireNonNullElse(outbound, config.defaultMaxOutboundMigrations());
    }

    @WithTransaction
    public Uni<Host> changeState(long id, HostState state) {
        return crud().load(id, null).call(h -> {
            HostState before = h.state;
            h.state = state;
            return before != state ? events.hostStateChanged(h, before.name())
                    .call(() -> audit.record("state", "host", id, before + " -> " + state)) : Uni.createFrom().voidItem();
        });
    }

    @WithTransaction
    public Uni<Void> delete(long id) {
        return crud().delete(id,
                h -> Checks.unused(vms.countOnHost(id), "host " + h.name, "VMs")
                        // ended holds from or to it stay: they are the history of past moves
                        .call(() -> Checks.unused(reservations.countActiveOnHost(id), "host " + h.name, "active reservations")),
                events::hostRemoved);
    }
}
