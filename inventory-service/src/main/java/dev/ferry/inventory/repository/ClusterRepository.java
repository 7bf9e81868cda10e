package dev.ferry.inventory.repository;

import dev.ferry.inventory.model.Cluster;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class ClusterRepository implements PanacheRepositoryBase<Cluster, Long> {

    public Uni<List<Cluster>> page(int page, int size) {
        return findAll(io.quarkus.panache.common.Sort.by("name")).page(Paging.page(page, size)).list();
    }
}
