package dev.ferry.inventory.service;

import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/** The checks every write makes before it changes anything, each failing with its own problem. */
final class References {
    private References() {
    }

    /**
     * Loads an entity for a change. With a version from the caller, it first claims that version with one
     * conditional UPDATE (version = version + 1 WHERE version = the caller's): of two concurrent changes of one
     * version exactly one claims it, whatever the session caches or when locks are taken, and the other gets
     * 409 with the current version. Without a version the row is locked and the change is last-writer-wins.
     * 404 if missing.
     */
    static <E> Uni<E> load(String table, Supplier<Uni<E>> find, String what, long id, Long expectedVersion,
            ToLongFunction<E> version) {
        Uni<Void> guard = expectedVersion == null ? RowLock.forUpdate(table, id)
                : RowLock.claimVersion(table, id, expectedVersion).flatMap(claimed -> claimed ? Uni.createFrom().voidItem()
                        : RowLock.currentVersion(table, id).flatMap(current -> Uni.createFrom().failure(current == null
                                ? ProblemException.notFound(what, id)
                                : new ProblemException(new Problem("concurrent-update", "Conflict", 409,
                                        what + " " + id + " changed since you read it (you sent version " + expectedVersion
                                                + ", it is now " + current + "); read it again and retry")
                                        .with("currentVersion", current)))));
        return guard.flatMap(x -> find.get()).onItem().ifNull().failWith(() -> ProblemException.notFound(what, id));
    }

    static Uni<Void> unique(Uni<Long> count, String what, String name) {
        return count.flatMap(n -> n > 0
                ? Uni.createFrom().failure(ProblemException.conflict("duplicate-name", "a " + what + " named '" + name + "' already exists"))
                : Uni.createFrom().voidItem());
    }

    /** A delete that would leave dangling references is refused, naming what still uses the resource. */
    static Uni<Void> unused(Uni<Long> count, String what, String users) {
        return count.flatMap(n -> n > 0
                ? Uni.createFrom().failure(ProblemException.conflict("still-in-use", what + " is still used by " + n + " " + users))
                : Uni.createFrom().voidItem());
    }

    static Uni<Void> exists(Uni<Long> count, String field, Object id) {
        return count.flatMap(n -> n == 0 ? Uni.createFrom().failure(unknownReference(field, id)) : Uni.createFrom().voidItem());
    }

    /** One query for the whole set: the count of existing ids must equal the count asked for. */
    static Uni<Void> allExist(Function<Set<Long>, Uni<Long>> counter, Collection<Long> ids, String field) {
        Set<Long> distinct = new HashSet<>(ids);
        if (distinct.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return counter.apply(distinct).flatMap(n -> n == distinct.size() ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(unknownReference(field, distinct)));
    }

    private static ProblemException unknownReference(String field, Object id) {
        return new ProblemException(new Problem("unknown-reference", "Unknown reference", 422,
                field + " refers to " + id + ", which does not exist (or not all of it does)").with("field", field));
    }
}
