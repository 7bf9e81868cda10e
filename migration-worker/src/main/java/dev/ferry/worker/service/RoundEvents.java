package dev.ferry.worker.service;

import dev.ferry.events.DirtyPageRound;
import dev.ferry.events.MigrationMode;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.engine.RoundRecord;

/** The engine's round records as the per-round events of the Kafka contract, labelled with the driver. */
final class RoundEvents {
    private RoundEvents() {
    }

    /** @param why the last live round's reason for ending the live rounds (for the final phase) */
    static DirtyPageRound of(RoundRecord r, String why, String driver) {
        boolean last = r.kind() != RoundRecord.Kind.LIVE;
        String decision;
        String reason;
        if (r.kind() == RoundRecord.Kind.STOP_AND_COPY) {
            decision = "COMPLETE";
            reason = "stop-and-copy with the VM paused: " + why;
        } else if (r.kind() == RoundRecord.Kind.POST_COPY) {
            decision = "COMPLETE";
            reason = "post-copy: the VM runs on the destination, which pulled the remaining pages: " + why;
        } else {
            decision = r.decision().action().name();
            reason = r.decision().reason();
        }
        long durationMillis = Math.round(r.seconds() * 1000);
        return new DirtyPageRound(r.round(), r.pagesSent(), r.bytesSent(), r.pagesDirtied(), r.dirtyRatePagesPerSecond(),
                r.bandwidthBytesPerSecond(), durationMillis, r.remainingPages(), r.remainingBytes(),
                r.kind() == RoundRecord.Kind.POST_COPY ? PreCopyEngine.SWITCHOVER_MILLIS : r.expectedDowntimeMillis(),
                r.throttlePercent(), decision,
                reason + " [" + driver + "]", last,
                r.kind() == RoundRecord.Kind.POST_COPY ? MigrationMode.POST_COPY : MigrationMode.PRE_COPY);
    }
}
