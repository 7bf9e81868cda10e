package dev.ferry.scheduler.client;

import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.VmView;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/** Whole lists from inventory's pages: a host may run, and a cluster hold, more than one page. */
public final class InventoryLists {
    private InventoryLists() {
    }

    public static Uni<List<VmView>> vmsOn(InventoryApi inventory, long hostId) {
        return vmsOn(inventory, hostId, 0, new ArrayList<>());
    }

    private static Uni<List<VmView>> vmsOn(InventoryApi inventory, long hostId, int page, List<VmView> sofar) {
        return inventory.vmsOnHost(hostId, page, InventoryApi.MAX_PAGE_SIZE).flatMap(vms -> {
            sofar.addAll(vms);
            return vms.size() < InventoryApi.MAX_PAGE_SIZE ? Uni.createFrom().item(sofar) : vmsOn(inventory, hostId, page + 1, sofar);
        });
    }

    public static Uni<List<HostView>> hostsOf(InventoryApi inventory, long clusterId) {
        return hostsOf(inventory, clusterId, 0, new ArrayList<>());
    }

    private static Uni<List<HostView>> hostsOf(InventoryApi inventory, long clusterId, int page, List<HostView> sofar) {
        return inventory.hostsOfCluster(clusterId, page, InventoryApi.MAX_PAGE_SIZE).flatMap(hosts -> {
            sofar.addAll(hosts);
            return hosts.size() < InventoryApi.MAX_PAGE_SIZE ? Uni.createFrom().item(sofar)
                    : hostsOf(inventory, clusterId, page + 1, sofar);
        });
    }
}
