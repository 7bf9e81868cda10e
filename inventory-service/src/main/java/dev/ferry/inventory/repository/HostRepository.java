package dev.ferry.inventory.repository;

import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.model.Host;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class HostRepository implements PanacheRepositoryBase<Host, Long> {

    /** One page of hosts by name, filtered by cluster and state when given. */
    public Uni<List<Host>> page(Long clusterId, HostState state, int page, int size) {
        Paging q = new Paging().and("clusterId = :c", "c", clusterId).and("state = :s", "s", state);
        return find(q.query("name"), q.params()).page(Paging.page(page, size)).list();
    }

    public Uni<Long> countInCluster(long clusterId) {
        return count("clusterId", clusterId);
    }
}
