package dev.ferry.messaging;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.UUID;

/**
 * A named lease in the service's database (table {@code service_lease}): of a service's replicas, only the holder does
 * the work it names (the outbox relay publishes, the dispatcher starts migrations). The lease is claimed and renewed
 * in one short statement on the database's clock, so replicas' clocks never matter; a holder that dies is replaced
 * once its lease has run out, one that shuts down gives it up at once.
 *
 * <p>The holder trusts its lease locally only until {@code ttl - margin} after it asked: the margin covers the
 * longest step it takes without renewing, so that the step completes before another replica may take over.
 */
public final class DatabaseLease {
    private final Pool pool;
    private final String name;
    private final String holder;
    private final Duration ttl;
    private final Duration margin;
    private volatile long heldUntilNanos;
    private volatile boolean released;

    public DatabaseLease(Pool pool, String name, String holder, Duration ttl, Duration margin) {
        if (margin.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("lease " + name + ": its ttl " + ttl + " must exceed the margin " + margin);
        }
        this.pool = pool;
        this.name = name;
        this.holder = holder;
        this.ttl = ttl;
        this.margin = margin;
    }

    /** A holder name no other process shares: random, with the JVM's pid@host for whoever reads the table. */
    public static String uniqueHolder() {
        return UUID.randomUUID() + "@" + ManagementFactory.getRuntimeMXBean().getName();
    }

    public String holder() {
        return holder;
    }

    /** Takes the lease if it is free or ran out, renews it if it is ours; true when we hold it now. */
    public Uni<Boolean> claim() {
        if (released) {
            return Uni.createFrom().item(false);
        }
        long askedAt = System.nanoTime();
        return pool.preparedQuery("INSERT INTO service_lease (name, holder, expires_at) "
                        + "VALUES ($1, $2, now() + $3 * interval '1 millisecond') "
                        + "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at "
                        + "WHERE service_lease.holder = EXCLUDED.holder OR service_lease.expires_at < now() RETURNING holder")
                .execute(Tuple.of(name, holder, ttl.toMillis()))
                .map(rows -> {
                    boolean held = rows.rowCount() == 1;
                    // measured from before the statement: the database's expiry is at least that late
                    heldUntilNanos = held ? askedAt + ttl.minus(margin).toNanos() : 0;
                    return held;
                });
    }

    /** Whether a step of at most the margin, started now, ends inside the lease. */
    public boolean held() {
        return System.nanoTime() - heldUntilNanos < 0;
    }

    /**
     * Gives the lease up for good (this holder is shutting down), so that another replica takes over at once instead of
     * after the lease runs out; a later {@link #claim()} of this holder returns false without asking.
     */
    public Uni<Void> release() {
        released = true;
        heldUntilNanos = System.nanoTime();
        return pool.preparedQuery("UPDATE service_lease SET expires_at = now() WHERE name = $1 AND holder = $2")
                .execute(Tuple.of(name, holder)).replaceWithVoid();
    }
}
