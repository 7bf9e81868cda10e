package dev.ferry.scheduler.service;

import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.model.forecast.DirtyModel;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * How a VM dirtied memory the last time it migrated: the mean dirty rate of its live rounds after the
 * first, and the most pages one round left dirty as its hot set. With no history, the typical model.
 */
@ApplicationScoped
public class DirtyHistory {

    public Uni<DirtyModel> modelFor(long vmId, long memoryBytes, double bandwidthBytesPerSecond) {
        return Panache.withSession(() -> Migration.<Migration>find("vmId = ?1 and phase = ?2 order by createdAt desc",
                        vmId, MigrationPhase.SUCCEEDED).firstResult()
                .flatMap(last -> last == null ? Uni.createFrom().item(List.<MigrationRound>of())
                        : MigrationRound.<MigrationRound>list("migrationId = ?1 and round > 1 and stopAndCopy = false", last.id)
                                .map(rounds -> rounds))
                .map(rounds -> rounds.isEmpty() ? DirtyModel.typical(memoryBytes, bandwidthBytesPerSecond)
                        : learned(rounds, "this VM's last migration (" + rounds.size() + " live rounds after the first)")));
    }

    /**
     * What rounds of a migration say of how its guest writes: their mean dirty rate, and the most pages one of them
     * left dirty as its hot set; null for no rounds.
     *
     * @param from where the rounds come from, as the model's basis says it
     */
    public static DirtyModel learned(List<MigrationRound> rounds, String from) {
        if (rounds.isEmpty()) {
            return null;
        }
        double rate = rounds.stream().mapToDouble(r -> r.dirtyRatePagesPerSecond).average().orElse(0);
        long hot = rounds.stream().mapToLong(r -> r.pagesDirtied).max().orElse(1);
        return new DirtyModel(Math.max(1, hot), rate, "learned from " + from + ": " + Math.round(rate) + " pages/s, hot set "
                + hot + " pages");
    }
}
