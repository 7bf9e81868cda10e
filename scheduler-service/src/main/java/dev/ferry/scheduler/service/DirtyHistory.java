package dev.ferry.scheduler.service;

import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.model.forecast.DirtyModel;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * How a VM dirtied memory the last time it migrated: the mean dirty rate of its live rounds after the
 * first, and the most pages one round left dirty as its hot set; and how much of its memory was zero pages, from
 * that migration's first pass. With no history, the typical model.
 */
@ApplicationScoped
public class DirtyHistory {
    static final String LAST_FIRST_PASS = "counted in the first pass of this VM's last migration";

    public Uni<DirtyModel> modelFor(long vmId, long memoryBytes, double bandwidthBytesPerSecond) {
        DirtyModel typical = DirtyModel.typical(memoryBytes, bandwidthBytesPerSecond);
        return Panache.withSession(() -> lastMoved(vmId).flatMap(last -> last == null ? Uni.createFrom().item(typical)
                : MigrationRound.<MigrationRound>list("migrationId = ?1 and stopAndCopy = false", last.id).map(rounds -> {
                    List<MigrationRound> after = rounds.stream().filter(r -> r.round > 1).toList();
                    if (after.isEmpty()) {
                        // nothing learned of its writing, but its first pass still counted its zero pages
                        return zeroShare(rounds, last.memoryBytes).map(z -> typical.withZeroShare(z, LAST_FIRST_PASS)).orElse(typical);
                    }
                    DirtyModel learned = learned(after, "this VM's last migration (" + after.size() + " live rounds after the first)");
                    return zeroShare(rounds, last.memoryBytes).map(z -> learned.withZeroShare(z, LAST_FIRST_PASS)).orElse(learned);
                })));
    }

    /** The zero pages' share of the VM's memory in the first pass of its last migration that moved it; empty with none. */
    public Uni<Optional<Double>> zeroShareFor(long vmId) {
        return Panache.withSession(() -> lastMoved(vmId).flatMap(last -> last == null ? Uni.createFrom().item(Optional.<Double>empty())
                : MigrationRound.<MigrationRound>list("migrationId = ?1 and round = 1 and stopAndCopy = false", last.id)
                        .map(rounds -> zeroShare(rounds, last.memoryBytes))));
    }

    private static Uni<Migration> lastMoved(long vmId) {
        return Migration.<Migration>find("vmId = ?1 and phase = ?2 order by createdAt desc", vmId, MigrationPhase.SUCCEEDED)
                .firstResult();
    }

    /**
     * From the fullest first pass among {@code rounds}, which announced every page of {@code memoryBytes}; empty with
     * none.
     */
    static Optional<Double> zeroShare(List<MigrationRound> rounds, long memoryBytes) {
        // the fullest: a run that took the job over in pass 1 reports only the rest of that pass
        return rounds.stream().filter(r -> r.round == 1 && !r.stopAndCopy).max(Comparator.comparingLong(r -> r.bytesSent))
                .map(first -> DirtyModel.zeroShareOfFirstPass(memoryBytes, first.bytesSent));
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
