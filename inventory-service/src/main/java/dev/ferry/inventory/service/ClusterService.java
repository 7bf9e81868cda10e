package dev.ferry.inventory.service;

import dev.ferry.inventory.api.Requests.NewCluster;
import dev.ferry.inventory.audit.FleetAudit;
import dev.ferry.inventory.model.Cluster;
import dev.ferry.inventory.repository.ClusterRepository;
import dev.ferry.inventory.repository.HostRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Clusters: a name, and the hosts that belong to it. */
@ApplicationScoped
public class ClusterService {

    @Inject
    FleetAudit audit;

    @Inject
    ClusterRepository clusters;

    @Inject
    HostRepository hosts;

    private VersionedCrud<Cluster> crud() {
        return new VersionedCrud<>(clusters, "cluster", "Cluster", "cluster", e -> e.id, audit);
    }

    @WithTransaction
    public Uni<Cluster> create(NewCluster req) {
        return crud().create(req.name(), Uni.createFrom()::voidItem, () -> {
            Cluster c = new Cluster();
            c.name = req.name();
            return c;
        });
    }

    @WithTransaction
    public Uni<Cluster> update(long id, NewCluster req) {
        return crud().update(id, req.version(), req.name(), c -> Uni.createFrom().voidItem(), c -> {
            c.name = req.name();
            return Uni.createFrom().voidItem();
        });
    }

    @WithTransaction
    public Uni<Void> delete(long id) {
        return crud().delete(id, c -> Checks.unused(hosts.countInCluster(id), "cluster " + c.name, "hosts"),
                c -> Uni.createFrom().voidItem());
    }
}
