package dev.ferry.worker.engine;

import java.util.List;

/**
 * How one migration run ended: every live round, the stop-and-copy (null when it never paused), and where
 * the guest runs.
 */
public record MigrationResult(Outcome outcome, List<RoundRecord> rounds, RoundRecord stopAndCopy, long downtimeMillis,
        long totalTimeMillis, long bytesSent, String reason) {

    /** The three ways a run ends. */
    public enum Outcome {
        /** The guest runs on the destination. */
        SUCCEEDED,
        /** Cancelled by the operator: the guest runs on the source. */
        CANCELLED,
        /** The policy gave up: the guest runs on the source. */
        ABORTED
    }
}
