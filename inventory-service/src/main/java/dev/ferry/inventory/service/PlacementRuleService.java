package dev.ferry.inventory.service;

import dev.ferry.inventory.api.PlacementKind;
import dev.ferry.inventory.api.Requests.NewPlacementRule;
import dev.ferry.inventory.audit.FleetAudit;
import dev.ferry.inventory.model.PlacementRule;
import dev.ferry.inventory.repository.HostRepository;
import dev.ferry.inventory.repository.PlacementRuleRepository;
import dev.ferry.inventory.repository.VmRepository;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Set;

/** Placement rules: which VMs together, apart, or only on which hosts; the pre-checks enforce them. */
@ApplicationScoped
public class PlacementRuleService {

    @Inject
    FleetAudit audit;

    @Inject
    PlacementRuleRepository rules;

    @Inject
    VmRepository vms;

    @Inject
    HostRepository hosts;

    private VersionedCrud<PlacementRule> crud() {
        return new VersionedCrud<>(rules, "placement_rule", "Placement rule", "placement rule", r -> r.id, audit);
    }

    @WithTransaction
    public Uni<PlacementRule> create(NewPlacementRule req) {
        return crud().create(req.name(), () -> valid(req), () -> apply(new PlacementRule(), req));
    }

    @WithTransaction
    public Uni<PlacementRule> update(long id, NewPlacementRule req) {
        return crud().update(id, req.version(), req.name(), r -> valid(req), r -> {
            apply(r, req);
            return Uni.createFrom().voidItem();
        });
    }

    @WithTransaction
    public Uni<Void> delete(long id) {
        return crud().delete(id, r -> Uni.createFrom().voidItem(), r -> Uni.createFrom().voidItem());
    }

    /** The shape a kind asks for, then the references: a rule that cannot mean anything is refused, not stored. */
    private Uni<Void> valid(NewPlacementRule req) {
        Set<Long> hostIds = req.hostIds() == null ? Set.of() : req.hostIds();
        if (req.kind() == PlacementKind.ON_HOSTS && hostIds.isEmpty()) {
            return Uni.createFrom().failure(ProblemException.badRequest("invalid-placement-rule", "hostIds",
                    "an ON_HOSTS rule names the hosts its VMs may run on: hostIds is empty"));
        }
        if (req.kind() != PlacementKind.ON_HOSTS && !hostIds.isEmpty()) {
            return Uni.createFrom().failure(ProblemException.badRequest("invalid-placement-rule", "hostIds",
                    "a " + req.kind() + " rule binds VMs to each other, not to hosts: leave hostIds out (ON_HOSTS names hosts)"));
        }
        if (req.kind() != PlacementKind.ON_HOSTS && req.vmIds().size() < 2) {
            return Uni.createFrom().failure(ProblemException.badRequest("invalid-placement-rule", "vmIds",
                    "a " + req.kind() + " rule needs two or more VMs; it names " + req.vmIds().size()));
        }
        return Checks.allExist(ids -> vms.count("id in ?1", ids), req.vmIds(), "vmIds")
                .flatMap(x -> Checks.allExist(ids -> hosts.count("id in ?1", ids), hostIds, "hostIds"));
    }

    private static PlacementRule apply(PlacementRule r, NewPlacementRule req) {
        r.name = req.name();
        r.kind = req.kind();
        r.vmIds = new HashSet<>(req.vmIds());
        r.hostIds = req.hostIds() == null ? new HashSet<>() : new HashSet<>(req.hostIds());
        return r;
    }
}
