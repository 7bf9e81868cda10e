package dev.ferry.inventory.repository;

import dev.ferry.inventory.model.PlacementRule;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class PlacementRuleRepository implements PanacheRepositoryBase<PlacementRule, Long> {

    /** One page of rules by name; with a host or a cluster, only the rules that name a VM on it. */
    public Uni<List<PlacementRule>> page(Long hostId, Long clusterId, int page, int size) {
        if (hostId == null && clusterId == null) {
            return findAll(io.quarkus.panache.common.Sort.by("name")).page(Paging.page(page, size)).list();
        }
        String where = hostId != null ? "v.hostId = :host" : "v.hostId in (select h.id from Host h where h.clusterId = :cluster)";
        Parameters p = hostId != null ? Parameters.with("host", hostId) : Parameters.with("cluster", clusterId);
        return find("select distinct r from PlacementRule r join r.vmIds member where member in (select v.id from Vm v where "
                + where + ") order by r.name", p).page(Paging.page(page, size)).list();
    }
}
