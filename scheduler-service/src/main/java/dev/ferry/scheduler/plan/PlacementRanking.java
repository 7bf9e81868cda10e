package dev.ferry.scheduler.plan;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecast;
import dev.ferry.model.forecast.Forecaster;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks compatible destinations by the predicted cost of the migration, not first fit: hosts where the migration is
 * predicted to converge within its limits first, then the predicted time over the slower of the two links, stretched
 * by the migrations already heading to that host (they share its link and its inbound slots); ties go to the host that
 * keeps the most memory free (balance).
 */
public final class PlacementRanking {

    /** A compatible destination as the scheduler sees it now. */
    public record Option(long hostId, String hostName, double bandwidthBytesPerSecond, long freeMemoryAfterBytes,
            int inboundMigrations) {
    }

    /** An option with its forecast and cost (seconds until this migration would be done). */
    public record Ranked(Option option, Forecast forecast, double costSeconds) {
    }

    private PlacementRanking() {
    }

    /** Under QEMU's default limits but the downtime target, as an evacuation plans its moves. */
    public static List<Ranked> rank(List<Option> options, long memoryBytes, long maxDowntimeMillis, DirtyModel dirty,
            String policy) {
        return rank(options, memoryBytes, MigrationLimits.defaults(maxDowntimeMillis), dirty, policy);
    }

    /**
     * Under everything one request allows, so that its host is one where it converges whenever there is such a host
     * (admission control judges the winner under the same limits).
     *
     * @param policy the convergence policy the migration runs under: the forecast runs it
     */
    public static List<Ranked> rank(List<Option> options, long memoryBytes, MigrationLimits limits, DirtyModel dirty,
            String policy) {
        List<Ranked> ranked = new ArrayList<>();
        for (Option o : options) {
            Forecast f = Forecaster.forecast(memoryBytes, o.bandwidthBytesPerSecond(), limits, dirty, policy);
            ranked.add(new Ranked(o, f, f.totalTimeMillis() / 1000.0 * (1 + o.inboundMigrations())));
        }
        ranked.sort(Comparator.comparing((Ranked r) -> !Admission.withinLimits(r.forecast(), limits))
                .thenComparingDouble(Ranked::costSeconds)
                .thenComparing(Comparator.comparingLong((Ranked r) -> r.option().freeMemoryAfterBytes()).reversed()));
        return ranked;
    }

    /** Why the first one won, in a sentence an operator can check. */
    public static String reason(List<Ranked> ranked) {
        Ranked best = ranked.get(0);
        StringBuilder s = new StringBuilder(String.format("lowest predicted cost of %d compatible host(s): %s, %.1f s over %.0f MB/s "
                        + "with %d inbound migration(s), keeps %d MiB free", ranked.size(), best.option().hostName(),
                best.costSeconds(), best.option().bandwidthBytesPerSecond() / 1e6, best.option().inboundMigrations(),
                best.option().freeMemoryAfterBytes() >> 20));
        if (ranked.size() > 1) {
            Ranked next = ranked.get(1);
            s.append(String.format("; next %s at %.1f s", next.option().hostName(), next.costSeconds()));
        }
        return s.toString();
    }
}
