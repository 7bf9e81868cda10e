package dev.ferry.inventory.service;

import dev.ferry.inventory.api.Requests.NewNetwork;
import dev.ferry.inventory.audit.FleetAudit;
import dev.ferry.inventory.model.Network;
import dev.ferry.inventory.repository.HostRepository;
import dev.ferry.inventory.repository.NetworkRepository;
import dev.ferry.inventory.repository.VmRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;

/** Guest networks and the hosts that carry them. */
@ApplicationScoped
public class NetworkService {

    @Inject
    FleetAudit audit;

    @Inject
    NetworkRepository networks;

    @Inject
    HostRepository hosts;

    @Inject
    VmRepository vms;

    private VersionedCrud<Network> crud() {
        return new VersionedCrud<>(networks, "network", "Network", "network", e -> e.id, audit);
    }

    @WithTransaction
    public Uni<Network> create(NewNetwork req) {
        return crud().create(req.name(), () -> hostsExist(req), () -> apply(new Network(), req));
    }

    @WithTransaction
    public Uni<Network> update(long id, NewNetwork req) {
        return crud().update(id, req.version(), req.name(), n -> hostsExist(req), n -> {
            apply(n, req);
            return Uni.createFrom().voidItem();
        });
    }

    private Uni<Void> hostsExist(NewNetwork req) {
        return Checks.allExist(ids -> hosts.count("id in ?1", ids), req.hostIds(), "hostIds");
    }

    private static Network apply(Network n, NewNetwork req) {
        n.name = req.name();
        n.vlan = req.vlan();
        n.bridge = req.bridge();
        n.hostIds = new HashSet<>(req.hostIds());
        return n;
    }

    @WithTransaction
    public Uni<Void> delete(long id) {
        return crud().delete(id, n -> Checks.unused(vms.countOnNetwork(id), "network " + n.name, "VM NICs"),
                n -> Uni.createFrom().voidItem());
    }
}
