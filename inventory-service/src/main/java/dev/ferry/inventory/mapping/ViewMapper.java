package dev.ferry.inventory.mapping;

import dev.ferry.inventory.api.Views.ClusterView;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.NetworkView;
import dev.ferry.inventory.api.Views.ReservationView;
import dev.ferry.inventory.api.Views.StoragePoolView;
import dev.ferry.inventory.api.Views.VmView;
import dev.ferry.inventory.api.Views.VolumeView;
import dev.ferry.inventory.model.Cluster;
import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.model.Network;
import dev.ferry.inventory.model.Reservation;
import dev.ferry.inventory.model.StoragePool;
import dev.ferry.inventory.model.Vm;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/** Entities as the contract shows them (inventory-api's records): the one place where their shapes meet. */
public final class ViewMapper {
    private ViewMapper() {
    }

    public static ClusterView view(Cluster c) {
        return new ClusterView(c.id, c.name, c.version);
    }

    public static HostView view(Host h) {
        return new HostView(h.id, h.name, h.clusterId, h.state, h.cpuVendor, h.cpuFamily, h.cpuModel, h.cpuModelName,
                sorted(h.cpuFlags), h.cpuMhz, h.cpuSockets, h.cpuCores, h.memoryBytes, h.memoryOvercommit, h.cpuOvercommit,
                h.hypervisorType, h.hypervisorVersion, h.migrationAddress, h.linkBandwidthBytesPerSecond,
                h.maxInboundMigrations, h.maxOutboundMigrations, h.version, h.libvirtUri, h.lastReportAt, h.unreachableReason);
    }

    public static StoragePoolView view(StoragePool p) {
        return new StoragePoolView(p.id, p.name, p.type, p.scope, p.capacityBytes, sorted(p.hostIds), p.version);
    }

    public static NetworkView view(Network n) {
        return new NetworkView(n.id, n.name, n.vlan, n.bridge, sorted(n.hostIds), n.version);
    }

    public static dev.ferry.inventory.api.Views.PlacementRuleView view(dev.ferry.inventory.model.PlacementRule r) {
        return new dev.ferry.inventory.api.Views.PlacementRuleView(r.id, r.name, r.kind, sorted(r.vmIds), sorted(r.hostIds), r.version);
    }

    public static VmView view(Vm v) {
        return new VmView(v.id, v.name, v.memoryBytes, v.vcpus, v.hostId, v.state, v.cpuVendor, v.cpuFamily, v.cpuModelName,
                sorted(v.cpuFeatures), v.volumes.stream().map(vol -> new VolumeView(vol.poolId, vol.sizeBytes)).toList(),
                sorted(v.networkIds), v.version, v.cpuCoresUsed, v.cpuMeasuredAt);
    }

    public static ReservationView view(Reservation r) {
        return new ReservationView(r.id, r.migrationId, r.vmId, r.sourceHostId, r.hostId, r.memoryBytes, r.vcpus, r.state,
                r.createdAt, r.expiresAt, r.endedAt, r.endReason);
    }

    public static <E, V> List<V> all(List<E> entities, Function<E, V> view) {
        return entities.stream().map(view).toList();
    }

    /** Sets in a stable order, so that a view reads the same every time. */
    private static <T extends Comparable<T>> Set<T> sorted(Set<T> values) {
        return new TreeSet<>(values);
    }
}
