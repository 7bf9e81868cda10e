package dev.ferry.scheduler.service;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.TreeSet;

/**
 * The destinations' room locks: PostgreSQL advisory locks held to the end of the caller's transaction, one per host,
 * taken by whatever queues migrations for a host after judging its room (a request, an evacuation), so that two of them
 * never both take the last room. Several are taken in id order, so that two callers never wait for each other.
 */
public final class DestinationLocks {
    /** Advisory lock keys of destinations' room: this plus the host's id (rebalances and leases use keys of their own). */
    public static final long DESTINATION_LOCK = 0x4445_5354_0000_0000L;

    private DestinationLocks() {
    }

    /** Waits for each host's lock in turn, in id order; call in the queueing transaction. */
    public static Uni<Void> hold(Collection<Long> hostIds) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (long host : new TreeSet<>(hostIds)) {
            chain = chain.call(() -> Panache.getSession()
                    .flatMap(s -> s.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:key)) AS locked")
                            .setParameter("key", DESTINATION_LOCK + host).getSingleResult()));
        }
        return chain;
    }
}
