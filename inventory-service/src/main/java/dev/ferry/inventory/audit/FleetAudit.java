package dev.ferry.inventory.audit;

import dev.ferry.events.Principal;
import dev.ferry.support.security.Callers;
import io.quarkus.arc.Arc;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * Records a fleet change with its caller, in the caller's transaction. The caller is the request's verified identity;
 * a change made outside any request (a worker's report, a sweep) is the system's.
 */
@ApplicationScoped
public class FleetAudit {

    @Inject
    CurrentIdentityAssociation identities;

    public Uni<Void> record(String action, String entity, Long entityId, String detail) {
        return caller().flatMap(by -> {
            FleetChange c = new FleetChange();
            c.changedAt = Instant.now();
            c.principal = by.name();
            c.principalSubject = by.subject();
            c.action = action;
            c.entity = entity;
            c.entityId = entityId;
            c.detail = detail;
            return c.persist().replaceWithVoid();
        });
    }

    /** Who is changing the fleet now, as the events it causes name them. */
    public Uni<Principal> caller() {
        if (!Arc.container().requestContext().isActive()) {
            return Uni.createFrom().item(Principal.SYSTEM);
        }
        return identities.getDeferredIdentity().map(id -> id.isAnonymous() ? Principal.SYSTEM : Callers.of(id));
    }
}
