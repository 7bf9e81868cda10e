package dev.ferry.scheduler.plan;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How far predictions were from what happened, over finished migrations: the mean absolute percentage
 * error of the total time (the figure published models claim about 90 % accuracy for), and the mean
 * absolute errors of downtime and rounds; over succeeded migrations overall and per driver (a simulator's forecast
 * and a real hypervisor's are not the same claim), per outcome with the failures included (a forecast of a migration
 * that gives up predicts when it gives up), and how often the prediction of convergence, which admission control
 * acts on, was right. The newest samples feed a predicted-against-actual chart.
 *
 * @param migrations  succeeded migrations with a forecast: the top-level errors and {@code byDriver} are over these
 * @param byOutcome   SUCCEEDED, GAVE_UP (the policy aborted: it did not converge) and FAILED (anything else: a host,
 *                    a worker, a driver); each over its migrations with a measured total time
 * @param convergence over succeeded and given-up migrations whose forecast said whether they would converge
 */
public record PredictionAccuracy(int migrations, Double totalTimeMeanAbsolutePercentError,
        Double downtimeMeanAbsoluteErrorMillis, Double roundsMeanAbsoluteError, Map<String, Errors> byDriver,
        Map<String, Errors> byOutcome, Convergence convergence, List<Sample> recent) {

    /** How many samples {@code recent} carries at most. */
    public static final int RECENT = 100;
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String GAVE_UP = "GAVE_UP";
    public static final String FAILED = "FAILED";

    /**
     * One finished migration: what was predicted and what happened, on which driver.
     *
     * @param outcome             SUCCEEDED, GAVE_UP or FAILED
     * @param predictedToConverge null when the forecast predates admission control
     */
    public record Sample(String migrationId, String vmName, long predictedTotalTimeMillis, long actualTotalTimeMillis,
            long predictedDowntimeMillis, long actualDowntimeMillis, int predictedRounds, int actualRounds, String basis,
            String driver, String outcome, Boolean predictedToConverge) {

        /** A succeeded migration predicted to converge, as every sample was before admission control. */
        public Sample(String migrationId, String vmName, long predictedTotalTimeMillis, long actualTotalTimeMillis,
                long predictedDowntimeMillis, long actualDowntimeMillis, int predictedRounds, int actualRounds, String basis,
                String driver) {
            this(migrationId, vmName, predictedTotalTimeMillis, actualTotalTimeMillis, predictedDowntimeMillis,
                    actualDowntimeMillis, predictedRounds, actualRounds, basis, driver, SUCCEEDED, true);
        }
    }

    /**
     * The prediction of convergence against the outcome.
     *
     * @param rightPercent null with no migration to judge
     */
    public record Convergence(int migrations, int succeededAsPredicted, int succeededAgainstPrediction, int gaveUpAsPredicted,
            int gaveUpAgainstPrediction, Double rightPercent) {

        static Convergence of(List<Sample> samples) {
            List<Sample> judged = samples.stream().filter(s -> s.predictedToConverge() != null
                    && (SUCCEEDED.equals(s.outcome()) || GAVE_UP.equals(s.outcome()))).toList();
            int okAsPredicted = count(judged, SUCCEEDED, true);
            int okAgainst = count(judged, SUCCEEDED, false);
            int gaveUpAsPredicted = count(judged, GAVE_UP, false);
            int gaveUpAgainst = count(judged, GAVE_UP, true);
            return new Convergence(judged.size(), okAsPredicted, okAgainst, gaveUpAsPredicted, gaveUpAgainst,
                    judged.isEmpty() ? null : 100.0 * (okAsPredicted + gaveUpAsPredicted) / judged.size());
        }

        private static int count(List<Sample> judged, String outcome, boolean predicted) {
            return (int) judged.stream().filter(s -> outcome.equals(s.outcome()) && s.predictedToConverge() == predicted).count();
        }
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

    /** @param samples newest first, of every outcome */
    public static PredictionAccuracy of(List<Sample> samples) {
        List<Sample> succeeded = samples.stream().filter(s -> SUCCEEDED.equals(s.outcome())).toList();
        Map<String, Errors> byOutcome = samples.stream().filter(s -> s.actualTotalTimeMillis() > 0).collect(Collectors.groupingBy(
                Sample::outcome, TreeMap::new, Collectors.collectingAndThen(Collectors.toList(), Errors::of)));
        Convergence convergence = Convergence.of(samples);
        List<Sample> recent = samples.subList(0, Math.min(RECENT, samples.size()));
        if (succeeded.isEmpty()) {
            return new PredictionAccuracy(0, null, null, null, Map.of(), byOutcome, convergence, recent);
        }
        Errors all = Errors.of(succeeded);
        Map<String, Errors> byDriver = succeeded.stream().collect(Collectors.groupingBy(
                s -> s.driver() == null ? "unknown" : s.driver(), TreeMap::new, Collectors.collectingAndThen(Collectors.toList(), Errors::of)));
        return new PredictionAccuracy(succeeded.size(), all.totalTimeMeanAbsolutePercentError(), all.downtimeMeanAbsoluteErrorMillis(),
                all.roundsMeanAbsoluteError(), byDriver, byOutcome, convergence, recent);
    }
}
