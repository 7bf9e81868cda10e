package dev.ferry.model.engine;

import java.util.List;

/**
 * How one migration run ended: every live round, the final phase (stop-and-copy or post-copy pull; null when
 * the guest never left the source), and where the guest runs.
 */
public record MigrationResult(Outcome outcome, List<RoundRecord> rounds, RoundRecord finalPhase, long downtimeMillis,
        long totalTimeMillis, long bytesSent, String reason) {

    /** The ways a run ends. */
    public enum Outcome {
        /** The guest runs on the destination. */
        SUCCEEDED,
        /** Cancelled by the operator: the guest runs on the source. */
        CANCELLED,
        /** The policy (or the engine's cap) gave up: the guest runs on the source. */
        ABORTED
    }

    public boolean postCopy() {
        return finalPhase != null && finalPhase.kind() == RoundRecord.Kind.POST_COPY;
    }

    /**
     * What the throttle cost the guest: the integral of its throttle over the live rounds (a round of 10 s at 30 % is
     * 3 throttle-seconds, as much vCPU time as a 3 s pause takes, spread out). A migration never throttled scores 0.
     */
    public double throttleSeconds() {
        return rounds.stream().mapToDouble(r -> r.seconds() * r.throttlePercent() / 100.0).sum();
    }

    /** Rounds run, the final phase included. */
    public int roundCount() {
        return rounds.size() + (finalPhase == null ? 0 : 1);
    }
}
