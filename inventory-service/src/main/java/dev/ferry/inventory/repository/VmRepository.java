package dev.ferry.inventory.repository;

import dev.ferry.inventory.api.VmState;
import dev.ferry.inventory.model.Vm;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class VmRepository implements PanacheRepositoryBase<Vm, Long> {

    /** One page of VMs by name, filtered by host, state and a part of the name when given. */
    public Uni<List<Vm>> page(Long hostId, VmState state, String nameContains, int page, int size) {
        String name = nameContains == null || nameContains.isBlank() ? null : "%" + nameContains.toLowerCase() + "%";
        Paging q = new Paging().and("hostId = :host", "host", hostId).and("state = :state", "state", state)
                .and("lower(name) like :name", "name", name);
        return find(q.query("name"), q.params()).page(Paging.page(page, size)).list();
    }

    public Uni<Long> countOnHost(long hostId) {
        return count("hostId", hostId);
    }

    public Uni<Long> countOnPool(long poolId) {
        return count("select count(distinct v) from Vm v join v.volumes vol where vol.poolId = ?1", poolId);
    }

    public Uni<Long> countOnNetwork(long networkId) {
        return count("select count(distinct v) from Vm v join v.networkIds nid where nid = ?1", networkId);
    }
}
