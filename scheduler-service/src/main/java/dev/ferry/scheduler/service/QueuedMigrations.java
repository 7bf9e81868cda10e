package dev.ferry.scheduler.service;

import dev.ferry.events.Principal;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;

/** Migrations a plan made (an evacuation, a rebalance), queued in the caller's transaction, each with its audit entry. */
public final class QueuedMigrations {
    private QueuedMigrations() {
    }

    /**
     * @param request the MIGRATION_REQUESTED entry's JSON: what asked for these moves
     * @param traces begins each migration's trace, linked to the request being served
     */
    public static Uni<Void> enqueue(List<Migration> migrations, Principal by, String request, AttemptTraces traces, Instant now) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Migration m : migrations) {
            m.requestedBy = by.name();
            m.requestedBySubject = by.subject();
            traces.planned(m);
            chain = chain.flatMap(x -> {
                Uni<Void> entered = m.transition(MigrationPhase.QUEUED, m.targetReason, now);
                return m.persist().call(() -> entered)
                        .call(() -> AuditEntry.request(m.id, m.attempt, "MIGRATION_REQUESTED", by, request).persist())
                        .replaceWithVoid();
            });
        }
        return chain;
    }
}
