package dev.ferry.worker.engine;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Runs one pre-copy migration over a {@link Hypervisor}, in the hypervisor's time. Round 1 sends every page;
 * each later round sends the pages the dirty bitmap collected while the previous one ran; zero pages are
 * announced, not sent. After every live round the policy decides. The stop-and-copy pauses the guest, sends
 * what remains and resumes it on the destination. A cancel, checked before every round, leaves the guest
 * running on the source.
 */
public final class PreCopyEngine {
    public static final int PAGE_SIZE = 4096;
    /** A zero page costs a header on the wire, not 4 KiB. */
    static final int ZERO_PAGE_BYTES = 8;
    /** Resume on the destination plus network announce, after the last byte (Clark et al.: 9-40 ms). */
    public static final long SWITCHOVER_MILLIS = 15;
    /** Whatever the policy says, no run goes on forever: QEMU's default alone never stops a hot guest. */
    public static final int ROUND_CAP = 100;

    private final Hypervisor hv;
    private final ConvergencePolicy policy;
    private final double bandwidthBytesPerSecond;
    private final long maxDowntimeMillis;

    public PreCopyEngine(Hypervisor hv, ConvergencePolicy policy, double bandwidthBytesPerSecond, long maxDowntimeMillis) {
        if (bandwidthBytesPerSecond <= 0 || maxDowntimeMillis <= 0) {
            throw new IllegalArgumentException("bandwidth and downtime target must be > 0");
        }
        this.hv = hv;
        this.policy = policy;
        this.bandwidthBytesPerSecond = bandwidthBytesPerSecond;
        this.maxDowntimeMillis = maxDowntimeMillis;
    }

    public MigrationResult run(BooleanSupplier cancelled) {
        List<RoundRecord> rounds = new ArrayList<>();
        BitSet toSend = new BitSet(hv.pages());
        toSend.set(0, hv.pages());
        hv.syncDirtyBitmap(); // start with a clean bitmap: everything is in round 1 anyway
        double seconds = 0;
        long bytes = 0;
        int throttle = 0;
        while (true) {
            if (cancelled.getAsBoolean()) {
                hv.resumeOnSource();
                return new MigrationResult(MigrationResult.Outcome.CANCELLED, rounds, null, 0, millis(seconds), bytes,
                        "cancelled before round " + (rounds.size() + 1) + "; the guest runs on the source");
            }
            RoundRecord round = liveRound(rounds.size() + 1, toSend, throttle);
            rounds.add(round);
            seconds += round.seconds();
            bytes += round.bytesSent();
            toSend = dirtiedDuringLastRound;
            Decision decision = rounds.size() >= ROUND_CAP
                    ? Decision.stop("engine round cap " + ROUND_CAP + " reached")
                    : policy.decide(rounds, maxDowntimeMillis, throttle);
            switch (decision.action()) {
                case CONTINUE -> throttle = decision.throttlePercent();
                case ABORT -> {
                    hv.resumeOnSource();
                    return new MigrationResult(MigrationResult.Outcome.ABORTED, rounds, null, 0, millis(seconds), bytes,
                            decision.reason());
                }
                case STOP_AND_COPY -> {
                    hv.pauseOnSource();
                    RoundRecord last = send(rounds.size() + 1, toSend, 0, false);
                    hv.resumeOnDestination();
                    long downtime = millis(last.seconds()) + SWITCHOVER_MILLIS;
                    return new MigrationResult(MigrationResult.Outcome.SUCCEEDED, rounds, last, downtime,
                            millis(seconds + last.seconds()) + SWITCHOVER_MILLIS, bytes + last.bytesSent(), decision.reason());
                }
            }
        }
    }

    /** Copies the pages, with the guest running (and dirtying) for as long as the copy takes. */
    private RoundRecord liveRound(int number, BitSet pages, int throttle) {
        return send(number, pages, throttle, true);
    }

    private RoundRecord send(int number, BitSet pages, int throttle, boolean guestRuns) {
        long sent = 0;
        long zero = 0;
        long wireBytes = 0;
        for (int p = pages.nextSetBit(0); p >= 0; p = pages.nextSetBit(p + 1)) {
            hv.copyToDestination(p);
            if (hv.isZeroPage(p)) {
                zero++;
                wireBytes += ZERO_PAGE_BYTES;
            } else {
                sent++;
                wireBytes += PAGE_SIZE;
            }
        }
        double roundSeconds = wireBytes / bandwidthBytesPerSecond;
        long dirtied = 0;
        if (guestRuns) {
            // Every write lands after the page's copy in this model: it is dirty for the next round.
            hv.runGuest(roundSeconds, throttle);
            dirtiedDuringLastRound = hv.syncDirtyBitmap();
            dirtied = dirtiedDuringLastRound.cardinality();
        }
        long remainingBytes = dirtied * PAGE_SIZE;
        long expected = Math.round(remainingBytes * 1000.0 / bandwidthBytesPerSecond) + SWITCHOVER_MILLIS;
        return new RoundRecord(number, sent + zero, wireBytes, zero, dirtied, roundSeconds, bandwidthBytesPerSecond,
                dirtied, remainingBytes, expected, throttle);
    }

    /** The bitmap synced at the end of the latest live round: what the next round sends. */
    private BitSet dirtiedDuringLastRound = new BitSet();

    private static long millis(double seconds) {
        return Math.round(seconds * 1000);
    }
}
