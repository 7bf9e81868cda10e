package dev.ferry.inventory.repository;

import dev.ferry.inventory.model.Network;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class NetworkRepository implements PanacheRepositoryBase<Network, Long> {

    /** One page of networks by name; with a host, only the networks it carries. */
    public Uni<List<Network>> page(Long hostId, int page, int size) {
        return (hostId == null ? findAll(io.quarkus.panache.common.Sort.by("name"))
                : find("select n from Network n join n.hostIds h where h = ?1 order by n.name", hostId))
                .page(Paging.page(page, size)).list();
    }
}
