package dev.ferry.scheduler.rest;

import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.scheduler.model.PhaseTransition;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Server-sent progress of one migration. It polls the database rather than listening to Kafka, so
 * every scheduler instance can serve any stream and what it shows is what GET shows. Reads run one at
 * a time on the request's Vert.x context, each in a session of its own.
 */
@ApplicationScoped
public class ProgressStream {
    private static final Duration POLL = Duration.ofMillis(500);
    /** No stream is held open forever, whatever the migration does. */
    private static final Duration MAX_STREAM = Duration.ofHours(1);

    public Multi<MigrationView> stream(UUID id) {
        AtomicLong lastVersion = new AtomicLong(-1);
        // The request's Vert.x context: ticks arrive on another thread, each read hops back to run there.
        Context context = Vertx.currentContext();
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(POLL)
                .select().first(MAX_STREAM)
                .onItem().transformToUniAndConcatenate(tick -> Uni.createFrom().<Snapshot>emitter(emitter ->
                        context.runOnContext(x -> read(id).subscribe().with(emitter::complete, emitter::fail))))
                .select().where(s -> lastVersion.getAndSet(s.version()) != s.version())
                // after the final phase, END closes the stream instead of waiting for a change that never comes
                .onItem().transformToMultiAndConcatenate(s -> s.view().phase().isFinal()
                        ? Multi.createFrom().items(s, END) : Multi.createFrom().item(s))
                .select().first(s -> s != END)
                .map(Snapshot::view);
    }

    private static final Snapshot END = new Snapshot(null, -2);

    /** The view plus the row version it was read at, so that only changes are sent. */
    record Snapshot(MigrationView view, long version) {
    }

    private Uni<Snapshot> read(UUID id) {
        return Panache.withSession(() -> Migration.<Migration>findById(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Migration", id))
                .flatMap(m -> MigrationView.read(m).map(view -> new Snapshot(view, m.version))));
    }
}
