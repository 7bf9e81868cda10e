package dev.ferry.inventory.service;

import dev.ferry.support.Problem;
import io.quarkus.hibernate.reactive.panache.Panache;
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
     * Loads an entity for a change: locks its row first, then reads it, so that of two concurrent changes the
     * second waits and then sees the first one's version (Hibernate's own lock-on-find could hand back the
     * snapshot read before the wait). 404 if missing, 409 if the caller read an older version.
     */
    static <E> Uni<E> load(String table, Supplier<Uni<E>> find, String what, long id, Long expectedVersion,
            ToLongFunction<E> version) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery("SELECT id FROM " + table + " WHERE id = :id FOR UPDATE")
                        .setParameter("id", id).getResultList())
                .flatMap(locked -> find.get())
                .onItem().ifNull().failWith(() -> ProblemException.notFound(what, id)).flatMap(e -> {
            if (expectedVersion != null && expectedVersion != version.applyAsLong(e)) {
                return Uni.createFrom().failure(new ProblemException(new Problem("concurrent-update", "Conflict", 409,
                        what + " " + id + " changed since you read it (you sent version " + expectedVersion
                                + ", it is now " + version.applyAsLong(e) + "); read it again and retry")
                        .with("currentVersion", version.applyAsLong(e))));
            }
            return Uni.createFrom().item(e);
        });
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
