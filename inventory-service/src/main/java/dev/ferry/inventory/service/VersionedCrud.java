package dev.ferry.inventory.service;

import dev.ferry.inventory.audit.FleetAudit;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Create, versioned update and guarded delete, written once for every aggregate of the fleet (clusters, hosts,
 * storage pools, networks, VMs); each aggregate's service supplies only its references, its fields and its users.
 * Names are unique per aggregate; an update names the version it read and is refused with 409 when someone changed
 * the resource since; a delete that would orphan something is refused with 409.
 *
 * Every change is recorded in the fleet's audit trail with its caller, in the same transaction.
 *
 * @param table the aggregate's table, for the row lock and the version claim (ours, never user input)
 * @param title the aggregate as a title ("Storage pool"), for "... not found"
 * @param noun  the aggregate in a sentence ("storage pool"), for "a storage pool named ..."
 * @param idOf  the entity's id, for the audit trail
 */
record VersionedCrud<E>(PanacheRepositoryBase<E, Long> repository, String table, String title, String noun,
        Function<E, Long> idOf, FleetAudit audit) {

    /** Persists what {@code build} makes once the name is free and {@code references} hold. */
    Uni<E> create(String name, Supplier<Uni<Void>> references, Supplier<E> build) {
        return unique(name, null).flatMap(x -> references.get()).flatMap(x -> repository.persist(build.get()))
                .call(e -> audit.record("created", noun, idOf.apply(e), name));
    }

    /** Claims the version read, checks the new name and the references, then lets {@code change} apply the request. */
    Uni<E> update(long id, Long version, String name, Function<E, Uni<Void>> references, Function<E, Uni<Void>> change) {
        return load(id, version)
                .call(e -> unique(name, id))
                .call(e -> references.apply(e))
                .call(e -> change.apply(e))
                .call(e -> audit.record("changed", noun, id, name));
    }

    /** Deletes when {@code users} finds nothing that still depends on it; {@code removed} runs before the delete. */
    Uni<Void> delete(long id, Function<E, Uni<Void>> users, Function<E, Uni<Void>> removed) {
        return load(id, null).call(e -> users.apply(e)).call(e -> removed.apply(e))
                .call(e -> audit.record("deleted", noun, id, null)).call(e -> repository.delete(e))
                .replaceWithVoid();
    }

    /**
     * Loads the entity for a change. With a version from the caller, it first claims that version with one
     * conditional UPDATE (version = version + 1 WHERE version = the caller's): of two concurrent changes of one
     * version exactly one claims it, whatever the session caches or when locks are taken, and the other gets 409 with
     * the current version. Without a version the row is locked and the change is last-writer-wins. 404 if missing.
     */
    Uni<E> load(long id, Long expectedVersion) {
        Uni<Void> guard = expectedVersion == null ? RowLock.forUpdate(table, id)
                : RowLock.claimVersion(table, id, expectedVersion).flatMap(claimed -> claimed ? Uni.createFrom().voidItem()
                        : RowLock.currentVersion(table, id).flatMap(current -> Uni.createFrom().failure(current == null
                                ? ProblemException.notFound(title, id)
                                : new ProblemException(new Problem("concurrent-update", "Conflict", 409,
                                        title + " " + id + " changed since you read it (you sent version " + expectedVersion
                                                + ", it is now " + current + "); read it again and retry")
                                        .with("currentVersion", current)))));
        return guard.flatMap(x -> repository.findById(id)).onItem().ifNull().failWith(() -> ProblemException.notFound(title, id));
    }

    private Uni<Void> unique(String name, Long exceptId) {
        Uni<Long> count = exceptId == null ? repository.count("name", name) : repository.count("name = ?1 and id <> ?2", name, exceptId);
        return count.flatMap(n -> n > 0
                ? Uni.createFrom().failure(ProblemException.conflict("duplicate-name", "a " + noun + " named '" + name + "' already exists"))
                : Uni.createFrom().voidItem());
    }
}
