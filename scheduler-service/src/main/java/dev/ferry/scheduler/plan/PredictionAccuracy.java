package dev.ferry.scheduler.plan;

import java.util.List;

/**
 * How far predictions were from what happened, over finished migrations: the mean absolute percentage
 * error of the total time (the figure published models claim about 90 % accuracy for), and the mean
 * absolute errors of downtime and rounds.
 */
public record PredictionAccuracy(int migrations, Double totalTimeMeanAbsolutePercentError,
        Double downtimeMeanAbsoluteErrorMillis, Double roundsMeanAbsoluteError, List<Sample> recent) {

    /** One finished migration: what was predicted and what happened. */
    public record Sample(String migrationId, String vmName, long predictedTotalTimeMillis, long actualTotalTimeMillis,
            long predictedDowntimeMillis, long actualDowntimeMillis, int predictedRounds, int actualRounds, String basis) {
    }

    public static PredictionAccuracy of(List<Sample> samples) {
        if (samples.isEmpty()) {
            return new PredictionAccuracy(0, null, null, null, List.of());
        }
        double mape = samples.stream().filter(s -> s.actualTotalTimeMillis() > 0)
                .mapToDouble(s -> 100.0 * Math.abs(s.predictedTotalTimeMillis() - s.actualTotalTimeMillis()) / s.actualTotalTimeMillis())
                .average().orElse(0);
        double downtime = samples.stream().mapToDouble(s -> Math.abs(s.predictedDowntimeMillis() - s.actualDowntimeMillis())).average().orElse(0);
        double rounds = samples.stream().mapToDouble(s -> Math.abs(s.predictedRounds() - s.actualRounds())).average().orElse(0);
        return new PredictionAccuracy(samples.size(), mape, downtime, rounds, samples.subList(0, Math.min(20, samples.size())));
    }
}
