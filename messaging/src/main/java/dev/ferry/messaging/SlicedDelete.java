package dev.ferry.messaging;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Deletes what is past a retention a bounded slice at a time: each statement is its own short transaction, so that
 * a large backlog never holds locks (or a snapshot) for long while events go on being applied. Every service's
 * retention job runs its statements through here.
 */
public final class SlicedDelete {
    private SlicedDelete() {
    }

    /**
     * Runs {@code sql} until a statement deletes fewer than {@code batch} rows; returns the rows deleted in all.
     *
     * @param sql a DELETE whose {@code $1} is the retention in milliseconds and {@code $2} the most rows one statement
     *            may delete (its subquery's LIMIT)
     */
    public static Uni<Long> run(Pool pool, String sql, Duration retention, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("a slice must delete at least one row, not " + batch);
        }
        return slices(pool, sql, retention, batch, 0);
    }

    /**
     * A scheduled retention pass: says what it deleted, and on failure (the database away) says so and waits for the
     * next pass instead of failing the scheduler's job.
     */
    public static Uni<Void> pass(Uni<Long> prune, Logger log, String what) {
        return prune.invoke(deleted -> {
                    if (deleted > 0) {
                        log.infof("retention deleted %d row(s) of %s", deleted, what);
                    }
                })
                .onFailure().invoke(e -> log.warnf("pruning %s failed; next pass: %s", what, e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private static Uni<Long> slices(Pool pool, String sql, Duration retention, int batch, long sofar) {
        return pool.preparedQuery(sql).execute(Tuple.of(retention.toMillis(), batch))
                .flatMap(rows -> rows.rowCount() < batch ? Uni.createFrom().item(sofar + rows.rowCount())
                        : slices(pool, sql, retention, batch, sofar + rows.rowCount()));
    }
}
