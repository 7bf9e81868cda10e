package dev.ferry.inventory.service;

import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/** The reference and usage checks writes make before they change anything, each failing with its own problem. */
final class Checks {
    private Checks() {
    }

    /** A delete that would leave dangling references is refused, naming what still uses the resource. */
    static Uni<Void> unused(Uni<Long> count, String what, String users) {
        return count.flatMap(n -> n > 0
                ? Uni.createFrom().failure(ProblemException.conflict("still-in-use", what + " is still used by " + n + " " + users))
                : Uni.createFrom().voidItem());
    }

    static Uni<Void> exists(Uni<?> found, String field, Object id) {
        return found.flatMap(e -> e == null ? Uni.createFrom().failure(unknownReference(field, id)) : Uni.createFrom().voidItem());
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
