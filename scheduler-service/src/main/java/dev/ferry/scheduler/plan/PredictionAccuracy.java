package dev.ferry.scheduler.plan;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How far predictions were from what happened, over finished migrations: the mean absolute percentage
 * error of the total time (the figure published models claim about 90 % accuracy for), and the mean
 * absolute errors of downtime and rounds; overall and per driver (a simulator's forecast and a real hypervisor's are
 * not the same claim), with the newest samples for a predicted-against-actual chart.
 */
public record PredictionAccuracy(int migrations, Double totalTimeMeanAbsolutePercentError,
        Double downtimeMeanAbsoluteErrorMillis, Double roundsMeanAbsoluteError, Map<String, Errors> byDriver, List<Sample> recent) {

    /** How many samples {@code recent} carries at most. */
    public static final int RECENT = 100;

    /** One finished migration: what was predicted and what happened, on which driver. */
    public record Sample(String migrationId, String vmName, long predictedTotalTimeMillis, long actualTotalTimeMillis,
            long predictedDowntimeMillis, long actualDowntimeMillis, int predictedRounds, int actualRounds, String basis,
            String driver) {
    }

    /** The errors over one group of samples. */
    public record Errors(int migrations, double totalTimeMeanAbsolutePercentError, double downtimeMeanAbsoluteErrorMillis,
            double roundsMeanAbsoluteError) {

        static Errors of(List<Sample> samples) {
            double mape = samples.stream().filter(s -> s.actualTotalTimeMillis() > 0)
                    .mapToDouble(s -> 100.0 * Math.abs(s.predictedTotalTimeMillis() - s.actualTotalTimeMillis()) / s.actualTotalTimeMillis())
                    .average().orElse(0);
            double downtime = samples.stream().mapToDouble(s -> Math.abs(s.predictedDowntimeMillis() - s.actualDowntimeMillis())).average().orElse(0);
            double rounds = samples.stream().mapToDouble(s -> Math.abs(s.predictedRounds() - s.actualRounds())).average().orElse(0);
            return new Errors(samples.size(), mape, downtime, rounds);
        }
    }

    public static PredictionAccuracy of(List<Sample> samples) {
        if (samples.isEmpty()) {
            return new PredictionAccuracy(0, null, null, null, Map.of(), List.of());
        }
        Errors all = Errors.of(samples);
        Map<String, Errors> byDriver = samples.stream().collect(Collectors.groupingBy(
                s -> s.driver() == null ? "unknown" : s.driver(), TreeMap::new, Collectors.collectingAndThen(Collectors.toList(), Errors::of)));
        return new PredictionAccuracy(samples.size(), all.totalTimeMeanAbsolutePercentError(), all.downtimeMeanAbsoluteErrorMillis(),
                all.roundsMeanAbsoluteError(), byDriver, samples.subList(0, Math.min(RECENT, samples.size())));
    }
}
