package dev.ferry.inventory.service;

import dev.ferry.inventory.api.Requests.NewStoragePool;
import dev.ferry.inventory.audit.FleetAudit;
import dev.ferry.inventory.model.StoragePool;
import dev.ferry.inventory.repository.HostRepository;
import dev.ferry.inventory.repository.StoragePoolRepository;
import dev.ferry.inventory.repository.VmRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;

/** Storage pools and the hosts that reach them. */
@ApplicationScoped
public class StoragePoolService {

    @Inject
    FleetAudit audit;

    @Inject
    StoragePoolRepository pools;

    @Inject
    HostRepository hosts;

    @Inject
    VmRepository vms;

    private VersionedCrud<StoragePool> crud() {
        return new VersionedCrud<>(pools, "storage_pool", "Storage pool", "storage pool", e -> e.id, audit);
    }

    @WithTransaction
    public Uni<StoragePool> create(NewStoragePool req) {
        return crud().create(req.name(), () -> hostsExist(req), () -> apply(new StoragePool(), req));
    }

    @WithTransaction
    public Uni<StoragePool> update(long id, NewStoragePool req) {
        return crud().update(id, req.version(), req.name(), p -> hostsExist(req), p -> {
            apply(p, req);
            return Uni.createFrom().voidItem();
        });
    }

    private Uni<Void> hostsExist(NewStoragePool req) {
        return Checks.allExist(ids -> hosts.count("id in ?1", ids), req.hostIds(), "hostIds");
    }

    private static StoragePool apply(StoragePool p, NewStoragePool req) {
        p.name = req.name();
        p.type = req.type();
        p.scope = req.scope();
        p.capacityBytes = req.capacityBytes();
        p.hostIds = new HashSet<>(req.hostIds());
        return p;
    }

    @WithTransaction
    public Uni<Void> delete(long id) {
        return crud().delete(id, p -> Checks.unused(vms.countOnPool(id), "storage pool " + p.name, "VM volumes"),
                p -> Uni.createFrom().voidItem());
    }
}
