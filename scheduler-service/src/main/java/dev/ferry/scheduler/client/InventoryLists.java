package dev.ferry.scheduler.client;

import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.VmView;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole lists from inventory's pages (a host may run, and a cluster hold, more than one page), and reads that outlast a
 * connection dropped under them: a read is asked again, a few times, before its failure counts.
 */
public final class InventoryLists {
    private InventoryLists() {
    }

    /**
     * An idempotent read, asked again (3 times, from 200 ms apart) when the connection failed under it: a pooled
     * keep-alive connection the server has just closed, or a restart of inventory within a second. An answer, even an
     * error, is not asked again.
     */
    public static <T> Uni<T> read(Uni<T> call) {
        return call.onFailure(InventoryLists::connectionFailed).retry().withBackOff(java.time.Duration.ofMillis(200)).atMost(3);
    }

    private static boolean connectionFailed(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof jakarta.ws.rs.WebApplicationException || t instanceof InventoryRefusal) {
                return false; // inventory answered
            }
            if (t instanceof java.io.IOException || t instanceof io.vertx.core.VertxException
                    || t instanceof jakarta.ws.rs.ProcessingException) {
                return true;
            }
        }
        return false;
    }

    public static Uni<List<VmView>> vmsOn(InventoryApi inventory, long hostId) {
        return all(page -> inventory.vmsOnHost(hostId, page, InventoryApi.MAX_PAGE_SIZE));
    }

    public static Uni<List<HostView>> hostsOf(InventoryApi inventory, long clusterId) {
        return all(page -> inventory.hostsOfCluster(clusterId, page, InventoryApi.MAX_PAGE_SIZE));
    }

    /** Every placement rule that names a VM on the host ({@code hostId}) or in the cluster ({@code clusterId}). */
    public static Uni<List<dev.ferry.inventory.api.Views.PlacementRuleView>> placementRules(InventoryApi inventory, Long hostId,
            Long clusterId) {
        return all(page -> inventory.placementRules(hostId, clusterId, page, InventoryApi.MAX_PAGE_SIZE));
    }

    /** Every page of a list, read until one is short. */
    private static <T> Uni<List<T>> all(java.util.function.IntFunction<Uni<List<T>>> page) {
        return all(page, 0, new ArrayList<>());
    }

    private static <T> Uni<List<T>> all(java.util.function.IntFunction<Uni<List<T>>> page, int number, List<T> sofar) {
        return read(page.apply(number)).flatMap(items -> {
            sofar.addAll(items);
            return items.size() < InventoryApi.MAX_PAGE_SIZE ? Uni.createFrom().item(sofar) : all(page, number + 1, sofar);
        });
    }
}
