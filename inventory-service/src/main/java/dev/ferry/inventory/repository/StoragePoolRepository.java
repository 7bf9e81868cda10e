package dev.ferry.inventory.repository;

import dev.ferry.inventory.model.StoragePool;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class StoragePoolRepository implements PanacheRepositoryBase<StoragePool, Long> {

    /** One page of pools by name; with a host, only the pools it reaches. */
    public Uni<List<StoragePool>> page(Long hostId, int page, int size) {
        return (hostId == null ? findAll(io.quarkus.panache.common.Sort.by("name"))
                : find("select p from StoragePool p join p.hostIds h where h = ?1 order by p.name", hostId))
                .page(Paging.page(page, size)).list();
    }
}
