package dev.ferry.worker.testing;

import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.RoundRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The scheduler's LIMIT_BANDWIDTH arriving some time into a run, as when another migration starts to share a link with
 * this one: no cap until {@code after} has passed since the driver first asked, then {@code share}. Keeps every round
 * reported, so a test can check their order too.
 */
public final class ShareSentLater implements Controls {
    private final long afterNanos;
    private final long share;
    private final List<RoundRecord> reported = new ArrayList<>();
    private long firstAsked;

    public ShareSentLater(Duration after, long shareBytesPerSecond) {
        this.afterNanos = after.toNanos();
        this.share = shareBytesPerSecond;
    }

    @Override
    public synchronized long bandwidthCapBytesPerSecond() {
        if (firstAsked == 0) {
            firstAsked = System.nanoTime();
        }
        return System.nanoTime() - firstAsked < afterNanos ? 0 : share;
    }

    @Override
    public synchronized void roundCompleted(RoundRecord round) {
        reported.add(round);
    }

    public synchronized List<RoundRecord> reported() {
        return List.copyOf(reported);
    }
}
